/**
 * A PUBLISH to the gateway larger than the client's `maxIncomingPublishBytes` is never held
 * whole. mqtt-packet (9.0.2) has no size limit of its own: it appends every chunk to one list
 * until the whole packet is in, then copies the payload out, so a 250 MB `cmd/ping` took the
 * agent from 138 MB to over 1 GB before a line of ours ran (issue #14). MQTT 5's
 * maximumPacketSize would make the broker drop it instead, but the agent speaks 3.1.1
 * (connect-options.ts).
 *
 * Patched on the copy mqtt.js uses, as mqtt-packet-fix.ts does: the parser reads such a
 * packet's topic and packet id, hands mqtt.js the packet with an empty payload and
 * `refusedBytes` (so mqtt.js acknowledges it as usual and the uplink answers it), and drops the
 * rest of its bytes as they arrive. A parser whose client did not set the option is unchanged.
 *
 * No upstream issue found as of 2026-12 (mqttjs/mqtt-packet, mqttjs/MQTT.js); behaviour seen in
 * mqtt-packet 9.0.2: `Parser.parse` appends to its BufferList until `packet.length` bytes are in,
 * whatever the length, and MQTT.js has no incoming size option for 3.1.1.
 */
import { createRequire } from 'node:module';

/** the client option (IClientOptions travels to the parser as its settings) */
export interface PublishLimitOption {
  maxIncomingPublishBytes?: number;
}

/** what a refused PUBLISH carries in place of its payload */
export interface RefusedPublish {
  /** the packet's payload bytes (MQTT 5: its properties too), none of them kept */
  refusedBytes?: number;
}

interface List {
  length: number;
  readUInt16BE(at: number): number;
  toString(enc: 'utf8', from: number, to: number): string;
}

interface ParserState {
  settings: PublishLimitOption & { protocolVersion?: number };
  packet: { cmd: string; length: number; qos: number; topic?: string; messageId?: number; payload?: Buffer } & RefusedPublish;
  _list: List;
  /** bytes of a refused packet still to come, dropped as they arrive */
  _refusedLeft?: number;
  _emitError(err: Error): void;
  parse(buf: Buffer): number;
  _parsePayload(): boolean;
}

const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const Parser = fromMqtt('mqtt-packet/parser.js') as { prototype: ParserState };
const proto = Parser.prototype;
if (typeof proto.parse !== 'function' || typeof proto._parsePayload !== 'function') {
  throw new Error('mqtt-packet parser has changed: the incoming PUBLISH limit cannot be applied');
}

const parse = proto.parse;
proto.parse = function (this: ParserState, buf: Buffer): number {
  const left = this._refusedLeft ?? 0;
  if (left > 0) {
    const n = Math.min(left, buf.length);
    this._refusedLeft = left - n;
    if (n === buf.length) return this._list.length;
    buf = buf.subarray(n);
  }
  return parse.call(this, buf);
};

const parsePayload = proto._parsePayload;
proto._parsePayload = function (this: ParserState): boolean {
  const limit = this.settings.maxIncomingPublishBytes;
  const packet = this.packet;
  if (limit === undefined || packet.cmd !== 'publish' || packet.length <= limit) return parsePayload.call(this);
  // topic length, topic, packet id (QoS 1 and 2): at most 65,539 bytes, then the payload
  const list = this._list;
  if (list.length < 2) return false;
  const topicEnd = 2 + list.readUInt16BE(0);
  const head = topicEnd + (packet.qos > 0 ? 2 : 0);
  if (head > packet.length) {
    this._emitError(new Error('Cannot parse topic'));
    return true;
  }
  if (list.length < head) return false;
  packet.topic = list.toString('utf8', 2, topicEnd);
  if (packet.qos > 0) packet.messageId = list.readUInt16BE(topicEnd);
  packet.payload = Buffer.alloc(0);
  packet.refusedBytes = packet.length - head;
  // the parser's next step consumes packet.length bytes of its list: what it holds of this
  // packet now; the rest is dropped in parse() as it comes
  this._refusedLeft = packet.length - Math.min(list.length, packet.length);
  return true;
};
