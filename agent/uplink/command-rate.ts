/**
 * How often each command may run (docs/UPLINK.md, "Limits"). 1,000 `snapshot`s had committed
 * 1,000 extra data messages (issue #14); past its limit a command is answered `ok: false`
 * and does nothing. A sliding window on the injected clock's monotonic reading: at most
 * `count` accepted in any `windowS` seconds, whatever the system clock does.
 */
import type { Clock } from '../core/clock.js';

export interface RateLimit {
  count: number;
  windowS: number;
}

/**
 * Far above honest use: a platform pings to check a gateway (readiness, every few seconds at
 * most), sends `time` hourly, asks a `replay` per hole it finds and a `snapshot` or `rebirth`
 * when a view opens or its own state was lost.
 */
export const COMMAND_RATE: Readonly<Record<string, RateLimit>> = {
  ping: { count: 60, windowS: 60 },
  rebirth: { count: 6, windowS: 60 },
  snapshot: { count: 12, windowS: 60 },
  replay: { count: 30, windowS: 60 },
  time: { count: 12, windowS: 60 },
};

export class CommandRate {
  /** per name, the monotonic times of the accepted commands still inside the window, oldest first */
  private readonly accepted = new Map<string, number[]>();

  constructor(
    private readonly clock: Pick<Clock, 'monotonic'>,
    private readonly limits: Readonly<Record<string, RateLimit>> = COMMAND_RATE,
  ) {}

  /**
   * Counts the command if it may run now; else why not, for its answer. Names without a limit
   * do nothing but answer (unknown commands) and keep no state, however many are made up.
   */
  refusal(name: string): string | undefined {
    if (!Object.hasOwn(this.limits, name)) return undefined;
    const limit = this.limits[name]!;
    const now = this.clock.monotonic();
    let times = this.accepted.get(name);
    if (!times) this.accepted.set(name, (times = []));
    while (times.length > 0 && now - times[0]! >= limit.windowS * 1000) times.shift();
    if (times.length >= limit.count) return `rate limited: ${name} at most ${limit.count} per ${limit.windowS} s`;
    times.push(now);
    return undefined;
  }
}
