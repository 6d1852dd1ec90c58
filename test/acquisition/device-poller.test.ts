/**
 * The bus cycle on fake time, against a bus whose reads take their wire time and whose silent
 * units take the whole timeout: the order and phases of the slots, and what a dead device and a
 * retry may (free bus time) and may not (a healthy device's slot) take.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { Sample } from '../../agent/core/types.js';
import { BusCycle } from '../../agent/acquisition/bus-cycle.js';
import { DevicePoller, type BusReader } from '../../agent/acquisition/device-poller.js';
import { ModbusError } from '../../drivers/modbus/errors.js';
import type { RequestOptions } from '../../drivers/modbus/master.js';
import { device, point, quietLog } from './helpers.js';

const LINE = { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 } as const;
const TIMEOUT_MS = 100;
/** a read of 10 registers at 9600 8N1: 33 bytes and two silences */
const READ_MS = 42;

class TimedBus implements BusReader {
  silent = new Set<number>();
  /** units whose next read is lost once (a burst of noise) */
  glitch = new Set<number>();
  requests: { unit: number; t: number; opts?: RequestOptions }[] = [];
  private busy = Promise.resolve();
  constructor(private readonly clock: FakeClock) {}
  readRegisters(unit: number, _t: 'holding' | 'input', _a: number, count: number, opts?: RequestOptions): Promise<number[]> {
    // one transaction at a time, as the master does
    const run = this.busy.then(async () => {
      this.requests.push({ unit, t: this.clock.monotonic(), opts });
      const lost = this.silent.has(unit) || this.glitch.delete(unit);
      await new Promise<void>((r) => this.clock.setTimeout(() => r(), lost ? 2 * TIMEOUT_MS : READ_MS));
      if (lost) throw new ModbusError('timeout', 'Timed out', unit);
      return Array.from({ length: count }, () => 650);
    });
    this.busy = run.then(
      () => {},
      () => {},
    );
    return run;
  }
  async readBits(): Promise<boolean[]> {
    throw new Error('not used');
  }
  at(unit: number): number[] {
    return this.requests.filter((r) => r.unit === unit).map((r) => r.t);
  }
}

function setUp(pollMs: number[]) {
  const clock = new FakeClock();
  const bus = new TimedBus(clock);
  const samples: Sample[] = [];
  const health: string[] = [];
  const pollers = pollMs.map(
    (ms, i) =>
      new DevicePoller({
        device: device(`dev${i + 1}`, i + 1, Array.from({ length: 10 }, (_, r) => point(`dev${i + 1}.r${r}`, { address: r })), ms),
        master: bus,
        clock,
        log: quietLog,
        onSample: (s) => samples.push(s),
        onHealth: (d, h) => health.push(`${d.id} ${h}`),
        retries: 1,
        maxProbeIntervalMs: 4000,
      }),
  );
  const cycle = new BusCycle({ bus: 'rs485a', pollers, line: LINE, timeoutMs: TIMEOUT_MS, clock, log: quietLog });
  return { clock, bus, samples, health, pollers, cycle };
}

const every = (phase: number, period: number, n: number) => Array.from({ length: n }, (_, k) => phase + k * period);
/** A slot due within this of a free bus starts at once (bus-cycle.ts): its start, at most this early. */
const EARLY_MS = 6;
/** Times at a fixed phase: exactly one period apart, each at most EARLY_MS before `phase` + k periods. */
function atPhase(times: number[], phase: number, period: number): void {
  const first = times[0]! - Math.floor(times[0]! / period) * period;
  expect(phase - first).toBeGreaterThanOrEqual(0);
  expect(phase - first).toBeLessThanOrEqual(EARLY_MS);
  for (const t of times) expect((t - first) % period).toBe(0);
}

describe('the cycle of one bus', () => {
  it('polls ten devices in the same order every cycle, each at a fixed phase of its period', async () => {
    const { clock, bus, cycle } = setUp(Array(10).fill(1000));
    cycle.start();
    await clock.advanceAsync(4999);
    const slots = cycle.schedule.slots;
    for (let u = 1; u <= 10; u++) {
      expect(bus.at(u)).toHaveLength(5);
      atPhase(bus.at(u), slots[u - 1]!.phaseMs, 1000);
    }
    // the order the devices reach the bus: 1..10, five times over
    expect(bus.requests.map((r) => r.unit)).toEqual(Array.from({ length: 50 }, (_, i) => (i % 10) + 1));
    expect(slots[1]!.phaseMs).toBeGreaterThanOrEqual(READ_MS);
    await cycle.stop();
  });

  it('serves the 200 ms device first and in every one of its periods beside 1 s devices', async () => {
    const { clock, bus, cycle } = setUp([1000, 1000, 200]);
    cycle.start();
    await clock.advanceAsync(1999);
    expect(bus.at(3)).toEqual(every(0, 200, 10));
    expect(cycle.schedule.slots.map((s) => s.id)).toEqual(['dev3', 'dev1', 'dev2']);
    await cycle.stop();
  });

  it('never moves a healthy device’s slot for a dead device, its probes or a retry', async () => {
    const { clock, bus, health, samples, cycle } = setUp(Array(10).fill(1000));
    bus.silent.add(5);
    cycle.start();
    await clock.advanceAsync(2500);
    bus.glitch.add(10); // its read at 3 s is lost (a timeout): retried in free time, not in the next slot
    await clock.advanceAsync(9499 - 2500);
    const slots = cycle.schedule.slots;
    for (let u = 1; u <= 10; u++) {
      if (u === 5) continue;
      // from the second cycle on (in the first, the dead unit's first read timed out in its slot)
      const times = bus.at(u).filter((t) => t >= 1000);
      const retries = u === 10 ? times.filter((t) => t % 1000 > slots[9]!.phaseMs + READ_MS) : [];
      expect(retries).toEqual(u === 10 ? [3000 + slots[9]!.phaseMs + 2 * TIMEOUT_MS] : []);
      const polls = times.filter((t) => !retries.includes(t));
      expect(polls).toHaveLength(9);
      atPhase(polls, slots[u - 1]!.phaseMs, 1000);
    }
    expect(bus.requests.filter((r) => r.unit === 10 && r.t > 3500 && r.t < 4000)[0]?.opts).toEqual({ retries: 0 });
    expect(samples.filter((s) => s.p === 'dev10.r0').every((s) => s.q === 'good')).toBe(true);
    expect(health).toEqual(['dev5 comm']);
    // its first poll in its slot, the next two and then probes in free time, less and less often
    const dead = bus.at(5);
    expect(dead[0]).toBe(slots[4]!.phaseMs);
    for (const t of dead.slice(1)) expect(t % 1000).toBeGreaterThanOrEqual(slots[9]!.phaseMs + READ_MS);
    const gaps = dead.slice(3).map((t, i) => t - (dead[i + 2] ?? 0));
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(gaps.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]!);
    // every probe runs after the last slot of its cycle and ends before the first of the next
    for (const t of dead.slice(3)) expect(t % 1000).toBeGreaterThanOrEqual(slots[9]!.phaseMs + READ_MS);
    for (const t of dead.slice(3)) expect((t % 1000) + 2 * TIMEOUT_MS).toBeLessThanOrEqual(1000);
    await cycle.stop();
  });

  it('gives a device that answers again its own slot back, at its phase', async () => {
    const { clock, bus, health, pollers, cycle } = setUp(Array(3).fill(1000));
    bus.silent.add(2);
    cycle.start();
    await clock.advanceAsync(6000);
    bus.silent.delete(2);
    pollers[1]!.wake(); // as when its bus came back
    cycle.wake();
    await clock.advanceAsync(2999);
    expect(health).toEqual(['dev2 comm', 'dev2 ok']);
    const phase = cycle.schedule.slot('dev2')!.phaseMs;
    // the probe that found it, then its slot from the next period on
    const [probe, ...polls] = bus.at(2).filter((t) => t >= 6000);
    expect(probe).toBeLessThan(6200); // after the slots of dev1 and dev3 at 6 s, not a probe interval later
    expect(polls).toHaveLength(2);
    atPhase(polls, phase, 1000);
    expect(polls[0]).toBeGreaterThanOrEqual(7000);
    await cycle.stop();
  });
});
