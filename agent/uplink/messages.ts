/**
 * Builders for every payload of the uplink contract v1. Each must validate against the shared
 * floor schema (schema/uplink-v1.floor.schema.json) and the project's superset
 * (schema/uplink-v1.schema.json); the tests check both on what really reached the broker.
 */
import type { MemoryReading } from '../core/memory.js';
import type { PlantEvent, Sample } from '../core/types.js';
import type { StoredMessage } from '../buffer/types.js';
import { JsonBytes } from '../buffer/json-bytes.js';

export interface StateMessage {
  online: boolean;
  t: number;
  bootId: string;
}

export interface BirthPoint {
  id: string;
  kind: string;
  name?: string;
  unit?: string;
  [meta: string]: unknown;
}

/** What the app's birth() provider returns: every point, output and interlock with its metadata. */
export interface BirthContent {
  points: BirthPoint[];
  outputs?: { id: string; name?: string; [meta: string]: unknown }[];
  interlocks?: { id: string; name?: string; [meta: string]: unknown }[];
  site?: { name?: string; timezone?: string; [meta: string]: unknown };
}

export interface BirthMessage extends BirthContent {
  kind: 'birth';
  t: number;
  bootId: string;
  /** the seq series the data and events of this connection belong to */
  epoch: string;
  agent: string;
}

export interface DataMessage {
  kind: 'data';
  seq: number;
  /** the seq series (docs/UPLINK.md, "Delivery semantics"): deduplicate on (gateway, stream, epoch, seq) */
  epoch: string;
  bootId: string;
  hist: boolean;
  samples: Sample[];
}

export interface EventsMessage {
  kind: 'events';
  seq: number;
  epoch: string;
  bootId: string;
  hist: boolean;
  events: PlantEvent[];
}

/** What the app's health() provider returns: bus statistics and the like. */
export interface HealthExtras {
  buses?: Record<string, Record<string, unknown>>;
  [extra: string]: unknown;
}

export interface HealthMessage extends HealthExtras {
  kind: 'health';
  t: number;
  bootId: string;
  clock: 'synced' | 'unsynced';
  buffer: { pending: number; oldestPendingMs: number | null; usedBytes?: number; maxBytes?: number; writeError: string | null };
  uptimeS: number;
  /** rssError: the resident size could not be read now (no file handle free); rssBytes is the last one read */
  memory: { rssBytes: number; heapUsedBytes: number; rssError?: string };
}

export interface CmdResult {
  /** the command's id; "" when the command carried none (junk) */
  id: string;
  ok: boolean;
  /** the command name, as taken from the topic */
  cmd?: string;
  error?: string;
  [detail: string]: unknown;
}

export const state = (online: boolean, t: number, bootId: string): StateMessage => ({ online, t, bootId });

export const birth = (t: number, bootId: string, epoch: string, agent: string, content: BirthContent): BirthMessage => ({
  ...content,
  kind: 'birth',
  t,
  bootId,
  epoch,
  agent,
  points: content.points,
});

/** `hist` is true for the backlog and for replays, false for a message sent as it was committed */
export function fromStored(m: StoredMessage, bootId: string, hist: boolean): DataMessage | EventsMessage {
  return m.stream === 'data'
    ? { kind: 'data', seq: m.seq, epoch: m.epoch, bootId, hist, samples: m.samples }
    : { kind: 'events', seq: m.seq, epoch: m.epoch, bootId, hist, events: m.events };
}

/** one writer for every payload storedPayload makes (it is copied out each time) */
const payloadWriter = new JsonBytes();
/** the boot id as a JSON string in UTF-8: the same for every message of a run */
let bootIdJson = { id: '', bytes: Buffer.from('""') };

/**
 * The payload of a stored message as published: fromStored's JSON, byte for byte. A data
 * message read from the file is written straight from its stored bytes (writeSamplesJson), with
 * no sample objects or strings in between.
 */
export function storedPayload(m: StoredMessage, bootId: string, hist: boolean): Buffer | string {
  if (m.stream !== 'data' || !m.writeSamplesJson) return JSON.stringify(fromStored(m, bootId, hist));
  if (bootIdJson.id !== bootId) bootIdJson = { id: bootId, bytes: Buffer.from(JSON.stringify(bootId)) };
  // the epoch is 16 hex digits (epoch.ts): ASCII, nothing to escape
  payloadWriter.ascii('{"kind":"data","seq":').number(m.seq).ascii(',"epoch":"').ascii(m.epoch).ascii('","bootId":').bytes(bootIdJson.bytes).ascii(`,"hist":${hist},"samples":`);
  m.writeSamplesJson(payloadWriter);
  return payloadWriter.ascii('}').take();
}

export function health(
  base: { t: number; bootId: string; synced: boolean; pending: number; oldestPendingMs: number | null; usedBytes?: number; maxBytes?: number; writeError?: string; uptimeS: number; memory: MemoryReading },
  extras: HealthExtras,
): HealthMessage {
  return {
    ...extras,
    kind: 'health',
    t: base.t,
    bootId: base.bootId,
    clock: base.synced ? 'synced' : 'unsynced',
    buffer: { pending: base.pending, oldestPendingMs: base.oldestPendingMs === null ? null : Math.round(base.oldestPendingMs), usedBytes: base.usedBytes, maxBytes: base.maxBytes, writeError: base.writeError ?? null },
    uptimeS: Math.round(base.uptimeS),
    memory: { rssBytes: base.memory.rss, heapUsedBytes: base.memory.heapUsed, ...(base.memory.rssError ? { rssError: base.memory.rssError } : {}) },
  };
}

export const cmdResult = (id: string, ok: boolean, detail: Omit<CmdResult, 'id' | 'ok'> = {}): CmdResult => ({ ...detail, id, ok });
