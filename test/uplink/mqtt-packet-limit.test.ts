/**
 * The uplink's MQTT parser never holds a PUBLISH over maxIncomingPublishBytes whole
 * (agent/uplink/mqtt-packet-limit.ts): on the mqtt-packet copy mqtt.js uses, what the parser
 * hands on while such a packet arrives in socket-sized chunks, and the packets after it.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../agent/uplink/mqtt-packet-limit.js';

interface Packet {
  cmd: string;
  topic?: string;
  messageId?: number;
  payload?: Buffer;
  refusedBytes?: number;
}
interface Parser {
  on(e: 'packet', fn: (p: Packet) => void): void;
  on(e: 'error', fn: (err: Error) => void): void;
  parse(b: Buffer): number;
}
const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const mqttPacket = fromMqtt('mqtt-packet') as { parser(o: object): Parser; generate(p: object, o?: object): Buffer };

const publish = (topic: string, payload: Buffer, qos: 0 | 1, messageId?: number): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos, messageId, dup: false, retain: false }, { protocolVersion: 4 });

/** feeds `wire` in chunks of `chunk` bytes; what the parser emitted after each chunk */
function feed(options: object, wire: Buffer, chunk: number): { packets: Packet[]; afterChunk: number[]; errors: Error[] } {
  const parser = mqttPacket.parser({ protocolVersion: 4, ...options });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (err) => errors.push(err));
  const afterChunk: number[] = [];
  for (let at = 0; at < wire.length; at += chunk) {
    parser.parse(wire.subarray(at, at + chunk));
    afterChunk.push(packets.length);
  }
  return { packets, afterChunk, errors };
}

describe("the uplink's MQTT parser", () => {
  const huge = Buffer.alloc(1024 * 1024, 'a');
  const topic = 'firebreak/v1/E/GW/cmd/ping';
  const wire = Buffer.concat([publish(topic, huge, 1, 7), publish(topic, Buffer.from('{"id":"next"}'), 1, 8), mqttPacket.generate({ cmd: 'pingresp' })]);

  it('hands on a PUBLISH over the limit as soon as its head is in, without its payload, and parses the packets after it', () => {
    // 64 KiB: what a socket read gives
    const { packets, afterChunk, errors } = feed({ maxIncomingPublishBytes: 4096 }, wire, 65_536);
    expect(errors).toEqual([]);
    expect(afterChunk[0]).toBe(1);
    expect(packets.map((p) => p.cmd)).toEqual(['publish', 'publish', 'pingresp']);
    const [refused, next] = packets;
    expect(refused).toMatchObject({ topic, messageId: 7, refusedBytes: huge.length });
    expect(refused!.payload).toHaveLength(0);
    expect(next).toMatchObject({ topic, messageId: 8 });
    expect(next!.refusedBytes).toBeUndefined();
    expect(next!.payload!.toString()).toBe('{"id":"next"}');
  });

  it('does the same when the head itself comes a byte at a time', () => {
    const head = wire.subarray(0, 64);
    const { packets, errors } = feed({ maxIncomingPublishBytes: 4096 }, head, 1);
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(1);
    expect(packets[0]).toMatchObject({ topic, messageId: 7, refusedBytes: huge.length });
  });

  it('refuses a QoS 0 PUBLISH over the limit too (no packet id)', () => {
    const { packets } = feed({ maxIncomingPublishBytes: 4096 }, Buffer.concat([publish(topic, huge, 0), publish(topic, Buffer.from('{}'), 0)]), 65_536);
    expect(packets.map((p) => [p.refusedBytes, p.payload!.length])).toEqual([
      [huge.length, 0],
      [undefined, 2],
    ]);
  });

  it('holds the whole packet without the option, as mqtt.js alone does', () => {
    const { packets, afterChunk } = feed({}, wire, 65_536);
    expect(afterChunk[0]).toBe(0);
    expect(packets[0]!.payload).toHaveLength(huge.length);
    expect(packets[0]!.refusedBytes).toBeUndefined();
  });
});
