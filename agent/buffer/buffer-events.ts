/** The events the buffer records about itself: data lost to the disk budget, a corrupt file, an overflow, a new seq series. */
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

/**
 * A new seq series (epoch.ts) starts at `fromSeq` of `stream`. The gateway cannot tell a first
 * start from one after its buffer and seq sidecar were lost together (a new card looks the same),
 * so every new series says this; a platform that knew the gateway under another epoch learns
 * that the earlier series ended and what it had not sent is lost.
 */
export function newSeriesEvent(now: number, stream: Stream, epoch: string, fromSeq: number): PlantEvent {
  return {
    id: `gap-${stream}-epoch-${epoch}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'new_series',
    message: `新的 seq 序列 ${epoch} 从 seq ${fromSeq} 开始：新网关，或 seq 状态丢失后重建，此前序列未上传的消息可能丢失 / new seq series ${epoch} starts at seq ${fromSeq}: a new gateway, or its seq state was lost and rebuilt (unsent messages of an earlier series may be lost)`,
    detail: { stream, epoch, fromSeq, reason: 'new seq series' },
  };
}

/** What was given up from memory before it could be buffered: how many, and the span of their times. */
export interface DroppedRange {
  n: number;
  fromT: number;
  toT: number;
}

/** One more item, of time `t`, given up: counted into `r` (a new range for the first). */
export function countDropped(r: DroppedRange | undefined, t: number): DroppedRange {
  if (!r) return { n: 1, fromT: t, toT: t };
  r.n++;
  r.toT = t;
  return r;
}

const DROPPED = {
  data: {
    id: 'overflow',
    what: 'samples',
    message: (n: number) => `磁盘无法写入，丢弃 ${n} 个采样 / disk not accepting writes: ${n} samples dropped before buffering`,
    reason: 'ingest overflow',
  },
  events: {
    id: 'dropped',
    what: 'events',
    message: (n: number) => `磁盘长时间无法写入，丢弃 ${n} 个事件 / disk not accepting writes for too long: ${n} events dropped before buffering`,
    reason: 'events waiting in memory overflowed',
  },
} as const;

/**
 * The gap event for what was dropped from memory before buffering: samples past the ingest
 * bound, events past the bound of those waiting on a disk that refuses writes.
 */
export function droppedEvent(now: number, stream: Stream, r: DroppedRange): PlantEvent {
  const d = DROPPED[stream];
  return {
    id: `gap-${stream}-${d.id}-${now}`,
    t: now,
    type: 'gap',
    source: 'buffer',
    priority: 'high',
    state: 'lost',
    message: d.message(r.n),
    detail: { stream, [d.what]: r.n, fromT: r.fromT, toT: r.toT, reason: d.reason },
  };
}
