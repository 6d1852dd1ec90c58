/**
 * Message bodies are stored as raw-deflated JSON of the wire array. A batch of 25 samples is
 * ~1.4 KB of JSON and ~0.3 KB deflated, so each 250 ms commit touches one 1 KiB page
 * instead of spilling to overflow pages (bytes written per sample, BENCH.md).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export function encodeBody(items: readonly unknown[]): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(items)));
}

export function decodeBody<T>(body: Buffer): T[] {
  return JSON.parse(inflateRawSync(body).toString('utf8')) as T[];
}
