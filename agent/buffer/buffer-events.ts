/** The events the buffer records about itself: data lost to the disk budget, a corrupt file, an overflow. */
import type { PlantEvent } from '../core/types.js';
import type { Stream } from './types.js';

export interface EvictedRange {
  stream: Stream;
  fromSeq: number;
  toSeq: number;
  fromT: number;
  toT: number;
  messages: number;
  samples: number;
}

export function gapEvent(now: number, r: EvictedRange, reason: string): PlantEvent {
  return {
    id: `gap-${r.stream}-${r.fromSeq}-${r.toSeq}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'lost',
    message: `缓冲区已满，丢弃未上传的遥测数据 seq ${r.fromSeq}–${r.toSeq} / buffer full: unsent telemetry seq ${r.fromSeq}–${r.toSeq} evicted`,
    detail: { ...r, reason },
  };
}

export function corruptFileEvent(now: number, movedTo: string, problem: string, resumesAt: Record<Stream, number>): PlantEvent {
  return {
    id: `buffer-corrupt-${now}`,
    t: now,
    type: 'system',
    source: 'buffer',
    priority: 'high',
    state: 'moved_aside',
    message: `缓冲数据库损坏，已移至 ${movedTo} 并新建 / buffer file corrupt, moved to ${movedTo}; a fresh buffer started`,
    detail: { movedTo, problem, seqResumesAt: resumesAt },
  };
}

/** the buffer file vanished or was replaced: seq resumes above what the old file may have used */
export function lostFileGapEvent(now: number, stream: Stream, throughSeq: number, reason: string): PlantEvent {
  return {
    id: `gap-${stream}-lostfile-${now}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'lost',
    message: `缓冲文件丢失，seq ${throughSeq} 及之前未上传的消息可能丢失 / buffer file lost: unsent messages up to seq ${throughSeq} may be lost`,
    detail: { stream, toSeq: throughSeq, reason },
  };
}

export function overflowEvent(now: number, samples: number, fromT: number, toT: number): PlantEvent {
  return {
    id: `gap-data-overflow-${now}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'lost',
    message: `磁盘无法写入，丢弃 ${samples} 个采样 / disk not accepting writes: ${samples} samples dropped before buffering`,
    detail: { stream: 'data', samples, fromT, toT, reason: 'ingest overflow' },
  };
}

/** events given up after too many waited in memory while the disk refused writes */
export function droppedEventsEvent(now: number, events: number, fromT: number, toT: number): PlantEvent {
  return {
    id: `gap-events-dropped-${now}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'lost',
    message: `磁盘长时间无法写入，丢弃 ${events} 个事件 / disk not accepting writes for too long: ${events} events dropped before buffering`,
    detail: { stream: 'events', events, fromT, toT, reason: 'events waiting in memory overflowed' },
  };
}
