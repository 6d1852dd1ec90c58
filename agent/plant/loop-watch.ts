/**
 * The safety path runs on the event loop, so a stalled loop is a stalled interlock: measure the
 * loop's delay and raise a system alarm past a threshold (issue 5). Real time by nature: it
 * measures the process, so it is started by the app, not by the plant's fake-clock tests.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { AlarmList } from '../alarms/alarm-list.js';
import type { Clock, Timer } from '../core/clock.js';

export const LOOP_ALARM_ID = 'agent.loopDelay';

export class LoopDelayWatch {
  private histogram?: IntervalHistogram;
  private timer?: Timer;
  private active = false;
  /** largest delay seen in the last window, ms, for health and the page */
  lastMaxMs = 0;

  constructor(
    private readonly alarms: AlarmList,
    private readonly clock: Clock,
    private readonly thresholdMs: number,
  ) {
    alarms.define({ id: LOOP_ALARM_ID, source: 'agent', name: '网关事件循环延迟过大', nameEn: 'gateway event-loop delay too high', priority: 'high' });
  }

  start(windowMs = 1000): void {
    // Sampling at half the threshold: a stall of 1.5 × the threshold or longer always raises the
    // alarm (one between 1 and 1.5 × may not). Every sample wakes the process, and a wake-up of
    // an otherwise idle gateway costs ~0.1 ms of CPU here: at 20 ms the watch alone was a third
    // of the agent's CPU with ten Modbus devices (measured 4.7 ms/s against 1.7 at 50 ms).
    this.histogram = monitorEventLoopDelay({ resolution: Math.max(20, Math.round(this.thresholdMs / 2)) });
    this.histogram.enable();
    const h = this.histogram;
    this.timer = this.clock.setInterval(() => {
      const maxMs = h.max / 1e6;
      h.reset();
      this.observe(maxMs);
    }, windowMs);
  }

  /** One window's largest delay; exposed for tests. Clears only after a window well below the threshold. */
  observe(maxMs: number): void {
    this.lastMaxMs = maxMs;
    const raise = maxMs > this.thresholdMs;
    const clear = maxMs < this.thresholdMs / 2;
    if (raise && !this.active) this.set(true, maxMs);
    else if (clear && this.active) this.set(false, maxMs);
  }

  private set(active: boolean, maxMs: number): void {
    this.active = active;
    const ms = Math.round(maxMs);
    this.alarms.set(LOOP_ALARM_ID, active, {
      t: this.clock.now(),
      value: ms,
      limit: this.thresholdMs,
      message: active ? `网关事件循环延迟 ${ms} ms (限值 ${this.thresholdMs} ms), 联锁响应可能变慢` : '网关事件循环延迟恢复正常',
      messageEn: active ? `gateway event loop delayed ${ms} ms (limit ${this.thresholdMs} ms): interlocks may react late` : 'gateway event-loop delay back to normal',
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.histogram?.disable();
  }
}
