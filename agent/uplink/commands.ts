/**
 * Platform → gateway commands (docs/UPLINK.md, "Commands"). Every command gets exactly one answer;
 * junk gets `{id: "", ok: false, error}` (the floor schema requires a string id). None of them
 * can change a limit, an interlock or an output: safety logic is changed only on site.
 * A command is checked for size before it is parsed and for rate before it does anything.
 */
import { MAX_RANGE } from '../buffer/outbox.js';
import type { Stream } from '../buffer/types.js';
import { cmdResult, type CmdResult } from './messages.js';

export interface CommandDeps {
  /** publish birth again */
  rebirth(): Promise<void>;
  /** commit the current value of every point as one data message; its seq */
  snapshot(): Promise<{ seq: number; samples: number }>;
  /** queue messages [fromSeq, toSeq] for resending with hist: true; how many are still stored, or why it is not queued */
  replay(stream: Stream, fromSeq: number, toSeq: number): Promise<number | { refused: string }>;
  /** why none of [fromSeq, toSeq] can be replayed */
  whyNotStored(stream: Stream, fromSeq: number, toSeq: number): string;
  /** a platform time hint: believe the clock only when `t` agrees with it */
  timeHint(t: number): { ok: boolean; offsetMs: number; synced: boolean; error?: string };
  /** why this command may not run now (its rate limit), counting it when it may */
  rateRefusal(name: string): string | undefined;
  now(): number;
}

const MAX_ID = 128;

/**
 * The largest command payload parsed. The largest honest one, a replay with a 128-character id,
 * is about 250 bytes; a 250 MB ping had cost the agent 900 MB and a 535 ms stall (issue #14).
 */
export const MAX_COMMAND_BYTES = 4096;

/** the answer to a command over MAX_COMMAND_BYTES, which is never parsed, so has no id */
export function tooLarge(name: string, bytes: number): CmdResult {
  return cmdResult('', false, { cmd: name, error: `payload of ${bytes} bytes refused: a command is at most ${MAX_COMMAND_BYTES} bytes` });
}

export async function runCommand(name: string, payload: Buffer, deps: CommandDeps): Promise<CmdResult> {
  if (payload.length > MAX_COMMAND_BYTES) return tooLarge(name, payload.length);
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return cmdResult('', false, { cmd: name, error: 'payload is not JSON' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return cmdResult('', false, { cmd: name, error: 'payload must be a JSON object' });
  const b = body as Record<string, unknown>;
  if (typeof b.id !== 'string' || b.id.length === 0 || b.id.length > MAX_ID) {
    return cmdResult('', false, { cmd: name, error: `id must be a string of 1..${MAX_ID} characters` });
  }
  const id = b.id;
  const limited = deps.rateRefusal(name);
  if (limited) return cmdResult(id, false, { cmd: name, error: limited });
  switch (name) {
    case 'ping':
      return cmdResult(id, true, { cmd: name, t: deps.now() });
    case 'rebirth':
      await deps.rebirth();
      return cmdResult(id, true, { cmd: name });
    case 'snapshot': {
      const r = await deps.snapshot();
      return cmdResult(id, true, { cmd: name, stream: 'data', seq: r.seq, samples: r.samples });
    }
    case 'replay': {
      const { stream, fromSeq, toSeq } = b;
      if (stream !== 'data' && stream !== 'events') return cmdResult(id, false, { cmd: name, error: 'stream must be "data" or "events"' });
      if (!isSeq(fromSeq) || !isSeq(toSeq) || fromSeq > toSeq) return cmdResult(id, false, { cmd: name, error: 'fromSeq and toSeq must be integers >= 1 with fromSeq <= toSeq' });
      if (toSeq - fromSeq + 1 > MAX_RANGE) return cmdResult(id, false, { cmd: name, error: `at most ${MAX_RANGE} messages per replay` });
      const count = await deps.replay(stream, fromSeq, toSeq);
      if (typeof count !== 'number') return cmdResult(id, false, { cmd: name, stream, fromSeq, toSeq, error: count.refused });
      if (count === 0) return cmdResult(id, false, { cmd: name, stream, fromSeq, toSeq, count, error: deps.whyNotStored(stream, fromSeq, toSeq) });
      return cmdResult(id, true, { cmd: name, stream, fromSeq, toSeq, count });
    }
    case 'time': {
      if (typeof b.t !== 'number' || !Number.isFinite(b.t)) return cmdResult(id, false, { cmd: name, error: 't must be a number: the platform time in ms since the Unix epoch' });
      const r = deps.timeHint(b.t);
      return cmdResult(id, r.ok, { cmd: name, offsetMs: r.offsetMs, synced: r.synced, ...(r.error ? { error: r.error } : {}) });
    }
    default:
      return cmdResult(id, false, { cmd: name, error: `unknown command "${name}"` });
  }
}

function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}
