/**
 * Child process of the uplink bench: commits a backlog of samples to a buffer file through the
 * agent's own path (bench/buffer-ingest.ts), for a destination named `mqtt` that has not
 * acknowledged any of it, and exits. Built in its own process so the drain that follows does
 * not pay for collecting the garbage of a million samples made a second earlier (a gateway
 * that drains after an outage made its backlog over hours).
 *
 *   node dist/bench/buffer-backlog-writer.js <buffer.db> <samples>
 */
import { ingest, openBenchOutbox } from './buffer-ingest.js';

const [path, total] = [process.argv[2]!, Number(process.argv[3])];
const outbox = await openBenchOutbox(path);
await outbox.cursor('mqtt');
await ingest(outbox, total);
await outbox.close();
