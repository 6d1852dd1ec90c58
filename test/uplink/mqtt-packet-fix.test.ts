/**
 * The uplink's MQTT client must not pin a Buffer pool slab for every message length it sends
 * (agent/uplink/mqtt-packet-fix.ts). Checked in fresh node processes on the compiled agent, on
 * the mqtt-packet copy mqtt.js loads: what the writer sends as a publish's remaining length.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../agent/core/paths.js';

interface LengthChunk {
  length: number;
  bytes: number[];
  /** size of the memory behind the chunk: its own 4 bytes at most, or a shared pool slab */
  backing: number;
}

/** Import `first` in a fresh node, then write QoS 0 publishes of these payload sizes with mqtt.js's mqtt-packet. */
function remainingLengthChunks(first: string, payloads: number[]): LengthChunk[] {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(first)});
    const fromMqtt = createRequire(createRequire(${JSON.stringify(join(packageRoot(), 'package.json'))}).resolve('mqtt'));
    const { writeToStream } = fromMqtt('mqtt-packet');
    const out = [];
    for (const size of ${JSON.stringify(payloads)}) {
      const chunks = [];
      writeToStream({ cmd: 'publish', topic: 'fb/t', payload: Buffer.alloc(size), qos: 0, dup: false, retain: false }, { write: (c) => (chunks.push(c), true) }, { protocolVersion: 4 });
      // header byte, then the remaining length
      const c = chunks[1];
      out.push({ length: 6 + size, bytes: [...c], backing: c.buffer.byteLength });
      Buffer.from('x'.repeat(200)); // other work takes from the same pool between messages
    }
    console.log(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot(), encoding: 'utf8' })) as LengthChunk[];
}

/** MQTT's variable byte integer */
function encoded(n: number): number[] {
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return out;
}

describe("the uplink's MQTT writer", () => {
  const sizes = [10, 2_000, 3_517, 9_000, 16_000];

  it('keeps each message length it has sent in bytes of its own, not in a shared 8 KiB slab', () => {
    const chunks = remainingLengthChunks(pathToFileURL(join(packageRoot(), 'dist/agent/uplink/mqtt-connect.js')).href, sizes);
    expect(chunks.map((c) => c.bytes)).toEqual(chunks.map((c) => encoded(c.length)));
    for (const c of chunks) expect(c.backing).toBeLessThanOrEqual(4);
  });

  it('would pin a slab per length without it (mqtt.js loaded on its own)', () => {
    const chunks = remainingLengthChunks('mqtt/lib/client', sizes);
    expect(chunks.map((c) => c.bytes)).toEqual(chunks.map((c) => encoded(c.length)));
    expect(chunks.every((c) => c.backing === 8192)).toBe(true);
  });
});
