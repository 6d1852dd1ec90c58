import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { ClockSync, SystemSyncProbe } from '../../agent/core/clock-sync.js';
import { Backoff } from '../../agent/uplink/backoff.js';
import { quiet } from '../buffer/tmp-outbox.js';

const noFile = '/nonexistent/firebreak/synchronized';

describe('clock synchronisation', () => {
  it('believes timedatectl when it answers', async () => {
    expect(await new SystemSyncProbe(async () => 'yes\n', noFile).isSynchronized()).toBe(true);
    expect(await new SystemSyncProbe(async () => 'no\n', noFile).isSynchronized()).toBe(false);
  });

  it('falls back to chrony on a gateway without systemd-timesyncd', async () => {
    const chrony = (leap: string) => async (cmd: string) => {
      if (cmd === 'timedatectl') throw new Error('ENOENT');
      return `Reference ID    : C0A80001 (192.168.0.1)\nLeap status     : ${leap}\n`;
    };
    expect(await new SystemSyncProbe(chrony('Normal'), noFile).isSynchronized()).toBe(true);
    expect(await new SystemSyncProbe(chrony('Not synchronised'), noFile).isSynchronized()).toBe(false);
  });

  it('cannot tell when no time service answers', async () => {
    const none = async () => {
      throw new Error('ENOENT');
    };
    expect(await new SystemSyncProbe(none, noFile).isSynchronized()).toBeUndefined();
  });

  it('stamps "unsynced" until the probe reports sync, checking again on the clock', async () => {
    const clock = new FakeClock();
    let answer: boolean | undefined = false;
    const sync = new ClockSync({ probe: { isSynchronized: async () => answer }, clock, log: quiet, checkEveryMs: 30_000 });
    const changes: boolean[] = [];
    sync.onChange((s) => changes.push(s));
    await sync.start();
    expect(sync.tq()).toBe('unsynced');
    answer = true;
    clock.advance(29_000);
    await new Promise((r) => setImmediate(r));
    expect(sync.isSynced()).toBe(false);
    clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(sync.isSynced()).toBe(true);
    expect(sync.tq()).toBeUndefined();
    expect(changes).toEqual([true]);
    sync.stop();
  });
});

describe('asking the time service', () => {
  async function questionsOver(answers: (boolean | undefined)[], minutes: number): Promise<number> {
    const clock = new FakeClock();
    let asked = 0;
    const probe = { isSynchronized: async () => answers[Math.min(asked++, answers.length - 1)] };
    const sync = new ClockSync({ probe, clock, log: quiet, checkEveryMs: 30_000, slowProbeEveryMs: 600_000 });
    await sync.start();
    for (let s = 0; s < minutes * 60; s += 30) {
      clock.advance(30_000);
      await new Promise((r) => setImmediate(r));
    }
    sync.stop();
    return asked;
  }

  it('asks every 30 s while the clock is not synchronised', async () => {
    expect(await questionsOver([false], 20)).toBe(1 + 40);
  });

  it('asks every 10 min once it is, so timedatectl is not started 2,880 times a day', async () => {
    // not yet, not yet, synchronised at the third question (1 min), then again at 11 and 21 min
    expect(await questionsOver([false, false, true], 25)).toBe(3 + 2);
  });

  it('asks every 10 min after three answers of "cannot tell" (no timesyncd, no chrony)', async () => {
    expect(await questionsOver([undefined], 25)).toBe(3 + 2);
  });

  it('goes back to every 30 s when the clock is reported lost', async () => {
    // synchronised at once; lost at the 10-min question; then asked every 30 s again
    expect(await questionsOver([true, false], 15)).toBe(2 + 10);
  });
});

describe('reconnect backoff', () => {
  it('doubles up to the cap, with jitter between half and all of each step, and starts over after a connect', () => {
    const lowest = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => lowest.next())).toEqual([500, 1000, 2000, 4000, 4000]);
    const highest = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 1 });
    expect([1, 2, 3, 4, 5].map(() => highest.next())).toEqual([1000, 2000, 4000, 8000, 8000]);
    highest.reset();
    expect(highest.next()).toBe(1000);
  });
});
