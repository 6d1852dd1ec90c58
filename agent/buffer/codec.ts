/**
 * Message bodies on disk. Data batches use the compact sample form (sample-codec.ts); events,
 * and any batch with a sample the compact form cannot carry, are raw-deflated JSON of the wire
 * array. The first byte tells them apart.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PlantEvent, Sample } from '../core/types.js';
import type { PointDictionary } from './point-dictionary.js';
import type { JsonBytes } from './json-bytes.js';
import { COMPACT, decodeSamples, encodeSamples, writeSamplesJson } from './sample-codec.js';

export function encodeBody(items: readonly unknown[]): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(items)));
}

export function decodeBody<T>(body: Buffer): T[] {
  return JSON.parse(inflateRawSync(body).toString('utf8')) as T[];
}

export function encodeData(samples: readonly Sample[], created: number, dict: PointDictionary): Buffer {
  return encodeSamples(samples, created, dict) ?? encodeBody(samples);
}

export function decodeData(body: Buffer, created: number, dict: PointDictionary): Sample[] {
  return body[0] === COMPACT ? decodeSamples(body, created, dict) : decodeBody<Sample>(body);
}

/** the stored batch written into `out` as the JSON array of its samples, as the uplink publishes it */
export function writeDataJson(out: JsonBytes, body: Buffer, created: number, dict: PointDictionary): void {
  if (body[0] === COMPACT) writeSamplesJson(out, body, created, dict);
  else out.bytes(inflateRawSync(body));
}

export function decodeEvents(body: Buffer): PlantEvent[] {
  return decodeBody<PlantEvent>(body);
}
