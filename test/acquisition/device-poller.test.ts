/** The poll schedule on fake time, against a bus that answers or stays silent on command. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { Sample } from '../../agent/core/types.js';
import { DevicePoller, type BusReader } from '../../agent/acquisition/device-poller.js';
import { ModbusError } from '../../drivers/modbus/errors.js';
import type { RequestOptions } from '../../drivers/modbus/master.js';
import { device, point, quietLog } from './helpers.js';

class ScriptedBus implements BusReader {
  silent = false;
  requests: { t: number; opts?: RequestOptions }[] = [];
  constructor(private readonly clock: FakeClock) {}
  async readRegisters(unit: number, _t: 'holding' | 'input', _a: number, count: number, opts?: RequestOptions): Promise<number[]> {
    this.requests.push({ t: this.clock.now(), opts });
    if (this.silent) throw new ModbusError('timeout', 'Timed out', unit);
    return Array.from({ length: count }, () => 650);
  }
  async readBits(): Promise<boolean[]> {
    throw new Error('not used');
  }
}

async function run(clock: FakeClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

function setUp() {
  const clock = new FakeClock();
  const bus = new ScriptedBus(clock);
  const samples: Sample[] = [];
  const health: string[] = [];
  const poller = new DevicePoller({
    device: device('dc1', 1, [point('dc1.dp', { address: 0 })], 200),
    master: bus,
    clock,
    log: quietLog,
    onSample: (s) => samples.push(s),
    onHealth: (_d, h) => health.push(h),
    maxProbeIntervalMs: 1600,
  });
  return { clock, bus, samples, health, poller, start: clock.now() };
}

describe('the poll schedule of one device', () => {
  it('polls at its pollMs while it answers', async () => {
    const { clock, bus, poller, start } = setUp();
    poller.start();
    await run(clock, 1000);
    expect(bus.requests.map((r) => r.t - start)).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('goes comm after 3 silent polls, then probes less and less often without retries, and recovers', async () => {
    const { clock, bus, samples, health, poller, start } = setUp();
    poller.start();
    await run(clock, 200);
    bus.silent = true;
    bus.requests = [];
    await run(clock, 6000);
    const times = bus.requests.map((r) => r.t - start);
    // misses at 400, 600, 800 → comm; probes after 400, 800, 1600, 1600 ms
    expect(times).toEqual([400, 600, 800, 1200, 2000, 3600, 5200]);
    expect(bus.requests.slice(0, 3).map((r) => r.opts?.retries)).toEqual([undefined, 0, 0]);
    expect(bus.requests.slice(3).every((r) => r.opts?.priority === 'probe' && r.opts.retries === 0)).toBe(true);
    expect(health).toEqual(['comm']);
    // (on this fake clock a reply's time is the end of the 50 ms step it resolved in)
    expect(samples.map((s) => s.q)).toEqual(['good', 'comm']);
    expect(samples[1]!.t - start).toBeGreaterThanOrEqual(800);
    expect(samples[1]!.t - start).toBeLessThanOrEqual(850);
    expect(samples[1]!.v).toBe(650);

    bus.silent = false;
    const answeredFrom = bus.requests.length;
    await run(clock, 1600);
    expect(health).toEqual(['comm', 'ok']);
    // the next probe is answered, and the device is back at its 200 ms period
    expect(bus.requests.slice(answeredFrom).map((r) => r.t - start)).toEqual([6800, 7000, 7200, 7400, 7600, 7800]);
    expect(samples.at(-1)).toMatchObject({ v: 650, q: 'good' });
  });

  it('does not retry a device that has never answered since start-up, so it cannot hold the bus for the others', async () => {
    const { clock, bus, poller } = setUp();
    bus.silent = true;
    poller.start();
    await run(clock, 500);
    expect(bus.requests.slice(0, 3).map((r) => r.opts?.retries)).toEqual([0, 0, 0]);
    // once it has answered, a single miss is retried again as for any healthy device
    bus.silent = false;
    poller.wake();
    await run(clock, 200);
    bus.silent = true;
    const from = bus.requests.length;
    await run(clock, 200);
    expect(bus.requests[from]?.opts).toBeUndefined();
  });

  it('probes at once when woken, e.g. after its bus came back', async () => {
    const { clock, bus, poller, start } = setUp();
    bus.silent = true;
    poller.start();
    await run(clock, 3000);
    const before = bus.requests.length;
    bus.silent = false;
    poller.wake();
    await run(clock, 50);
    expect(bus.requests.length).toBe(before + 1);
    expect(bus.requests.at(-1)!.t - start).toBe(3000); // not the next probe, due at 3200
  });
});
