/**
 * The one way a test waits on the wall clock: for what a real process, socket, serial line,
 * file system or browser does in its own time. Rules and timers on fake time never need it:
 * they advance their FakeClock instead.
 */
import { vi } from 'vitest';

export interface WaitOptions {
  /** how long it may take on a loaded 2-core machine (ms) */
  timeoutMs?: number;
  /** what was seen instead, for the failure message */
  state?: () => string;
}

/**
 * Polls `probe` (vi.waitFor, every 20 ms) until it gives something other than undefined, null
 * or false, and returns that; past the timeout it fails naming `what`.
 */
export function waitFor<T>(what: string, probe: () => T | Promise<T>, o: number | WaitOptions = {}): Promise<Exclude<Awaited<T>, undefined | null | false>> {
  const { timeoutMs = 10_000, state } = typeof o === 'number' ? { timeoutMs: o } : o;
  return vi.waitFor(
    async () => {
      const v = await probe();
      if (v === undefined || v === null || v === false) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `: ${state()}` : ''}`);
      return v as Exclude<Awaited<T>, undefined | null | false>;
    },
    { timeout: timeoutMs, interval: 20 },
  );
}
