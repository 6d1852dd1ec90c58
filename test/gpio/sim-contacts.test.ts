/**
 * The GPIO twin on a fake clock, as the agent sees contacts: debounce swallows bounces, the
 * edge time is the first edge of a bounce, bursts of real changes each get through, active-low
 * wiring reads as closed when the line is low; and `firebreak gpio watch` prints what changed.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { waitFor } from '../helpers/wait.js';
import { gpioWatchCommand } from '../../agent/cli/gpio-watch.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

function spark(activeLow = false, debounceMs = 20) {
  const clock = new FakeClock();
  const gpio = new SimGpio(clock);
  const edges: { v: boolean; t: number }[] = [];
  const line = gpio.input(17, { activeLow, debounceMs }, (v, t) => edges.push({ v, t }));
  return { clock, gpio, edges, line, t0: clock.now() };
}

describe('contacts on the GPIO twin', () => {
  it('reports a spark contact that chatters 5 times once, stamped with the first bounce', () => {
    const { clock, gpio, edges, line, t0 } = spark();
    clock.advance(100);
    gpio.bounce(17, true, 5);
    clock.advance(4); // still bouncing
    expect(edges).toEqual([]);
    clock.advance(40);
    expect(edges).toEqual([{ v: true, t: t0 + 100 }]);
    expect(line.read()).toBe(true);
  });

  it('swallows a glitch shorter than the debounce time', () => {
    const { clock, gpio, edges, line } = spark();
    gpio.set(17, true);
    clock.advance(5);
    gpio.set(17, false);
    clock.advance(100);
    expect(edges).toEqual([]);
    expect(line.read()).toBe(false);
  });

  it('passes a burst of three sparks 100 ms apart as three closings and three openings, in order', () => {
    const { clock, gpio, edges, t0 } = spark();
    for (let i = 0; i < 3; i++) {
      gpio.set(17, true);
      clock.advance(50);
      gpio.set(17, false);
      clock.advance(50);
    }
    expect(edges).toEqual([
      { v: true, t: t0 },
      { v: false, t: t0 + 50 },
      { v: true, t: t0 + 100 },
      { v: false, t: t0 + 150 },
      { v: true, t: t0 + 200 },
      { v: false, t: t0 + 250 },
    ]);
  });

  it('reads an active-low fan-running contact as running when the line is pulled low', () => {
    const { clock, gpio, edges, line, t0 } = spark(true);
    expect(line.read()).toBe(false); // pulled up: contact open
    gpio.drive(17, false);
    clock.advance(20);
    expect(edges).toEqual([{ v: true, t: t0 }]);
    expect(line.read()).toBe(true);
  });

  it('reports at once with no debounce', () => {
    const { gpio, edges, t0 } = spark(false, 0);
    gpio.set(17, true);
    expect(edges).toEqual([{ v: true, t: t0 }]);
  });
});

describe('firebreak gpio watch', () => {
  it('prints the state of each line, then every change with its time and the input name', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 21, 0, 0, 0));
    const gpio = new SimGpio(clock);
    const out: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const run = gpioWatchCommand(['--lines', '5,17', '--debounce', '10'], { out: (l) => void out.push(l), err: () => {}, clock, backend: gpio, until });
    await waitFor('the state of both lines', () => out.length >= 3);
    expect(out[0]).toBe('watching 2 input(s) through sim; Ctrl-C to stop');
    expect(out.slice(1).map((l) => l.slice(25))).toEqual(['line  5  line 5  now inactive (open)', 'line 17  line 17  now inactive (open)']);
    clock.advance(1234);
    gpio.bounce(17, true, 3);
    clock.advance(50);
    stop();
    expect(await run).toBe(0);
    expect(out).toHaveLength(4);
    expect(out[3]).toMatch(/:01\.234 {2}line 17 {2}line 17 {2}ACTIVE \(closed\)$/);
  });

  it('refuses to start with nothing to watch', async () => {
    const err: string[] = [];
    const code = await gpioWatchCommand([], { out: () => {}, err: (l) => void err.push(l), backend: new SimGpio(new FakeClock()), until: Promise.resolve() });
    expect(code).toBe(64);
    expect(err[0]).toMatch(/nothing to watch/);
  });
});
