/**
 * mqtt-packet (9.0.2, the latest) keeps the encoded "remaining length" of every packet length
 * below 16,384 it has written, for the life of the process, each as a 4-byte slice of Buffer's
 * shared 8 KiB pool; one cached length keeps its whole slab alive. A gateway sends data messages
 * of many lengths (every batch size, every number of digits), so over weeks that is thousands of
 * slabs: in a 15-min run of the acquisition bench 88 new lengths pinned 34 slabs, and memory
 * outside the heap grew 2.1 → 2.9 MiB.
 *
 * Imported for its effect, before mqtt.js loads mqtt-packet's writer (which takes the encoder
 * from mqtt-packet's numbers module when it loads): the encoder's result is copied into 4 bytes
 * of their own, so a cached length keeps only itself. test/uplink/mqtt-packet-fix.test.ts checks
 * it on the copy mqtt.js uses.
 *
 * Upstream: https://github.com/mqttjs/mqtt-packet/issues/163 (the same pinning, reported for
 * Node 24's 64 KiB pool), fix proposed in https://github.com/mqttjs/mqtt-packet/pull/164, not in
 * a release as of 2026-12. Drop this file once mqtt.js depends on a release that has it.
 */
import { createRequire } from 'node:module';

interface Numbers {
  genBufVariableByteInt(num: number): Buffer;
}

const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const numbers = fromMqtt('mqtt-packet/numbers.js') as Numbers;
const pooled = numbers.genBufVariableByteInt;
numbers.genBufVariableByteInt = (num: number): Buffer => {
  const b = pooled(num);
  const own = Buffer.allocUnsafeSlow(b.length);
  b.copy(own);
  return own;
};
