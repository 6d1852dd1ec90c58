/** The bus cycle's order and phases, as plain arithmetic on times. */
import { describe, expect, it } from 'vitest';
import { BusSchedule } from '../../agent/acquisition/bus-schedule.js';
import { busLoad, transactionMs } from '../../agent/acquisition/bus-load.js';
import { bus, device, point } from './helpers.js';

const ten = Array.from({ length: 10 }, (_, i) => ({ id: `dev${i + 1}`, periodMs: 1000, slotMs: 50 }));

describe('the schedule of one bus', () => {
  it('gives ten devices of one period fixed slots end to end, in the site file order', () => {
    const s = new BusSchedule(ten, 0);
    expect(s.slots.map((x) => [x.id, x.phaseMs])).toEqual(ten.map((d, i) => [d.id, 50 * i]));
    // served in the same order every cycle
    const served: string[] = [];
    for (let now = 0; now < 3000; now += 50) {
      const due = s.due(now);
      if (due) {
        served.push(due.id);
        expect(s.take(due.id, now)).toBe(0);
      }
    }
    expect(served).toEqual([...ten, ...ten, ...ten].map((d) => d.id));
    expect(s.dueAt('dev4')).toBe(3150);
  });

  it('puts the shorter periods first (rate-monotonic) and keeps each phase inside its period', () => {
    const s = new BusSchedule(
      [
        { id: 'slow', periodMs: 5000, slotMs: 40 },
        { id: 'fast', periodMs: 100, slotMs: 30 },
        { id: 'mid', periodMs: 1000, slotMs: 40 },
        { id: 'fast2', periodMs: 100, slotMs: 30 },
      ],
      1000,
    );
    expect(s.slots.map((x) => [x.id, x.phaseMs])).toEqual([
      ['fast', 0],
      ['fast2', 30],
      ['mid', 60],
      ['slow', 100],
    ]);
    expect(s.load()).toBeCloseTo(0.3 + 0.3 + 0.04 + 0.008);
  });

  it('keeps a late slot at its phase, and counts the periods it missed', () => {
    const s = new BusSchedule(ten, 0);
    expect(s.take('dev3', 130)).toBe(0); // 30 ms late: next one still at 1100
    expect(s.dueAt('dev3')).toBe(1100);
    expect(s.take('dev3', 3120)).toBe(2); // 1100 and 2100 went by
    expect(s.dueAt('dev3')).toBe(4100);
  });

  it('leaves a dead device’s slot free and gives it back at its phase when it answers again', () => {
    const s = new BusSchedule(ten, 0);
    s.setActive('dev1', false, 0);
    expect(s.due(0)).toBeUndefined();
    expect(s.nextAt()).toBe(50);
    s.setActive('dev1', true, 2400);
    expect(s.dueAt('dev1')).toBe(3000);
    expect(s.dueAt('dev2')).toBe(50); // the others never moved
  });
});

describe('the load of a bus', () => {
  it('counts ten devices of ten registers at 1 s on 9600 baud at about half the bus', () => {
    const devices = Array.from({ length: 10 }, (_, i) =>
      device(`dev${i + 1}`, i + 1, Array.from({ length: 10 }, (_, r) => point(`dev${i + 1}.r${r}`, { address: r })), 1000),
    );
    // 8 + 25 bytes and two 3.5-character silences at 11 bits: 45.8 ms a read
    expect(transactionMs({ table: 'holding', count: 10 }, { baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1 })).toBeCloseTo(45.83, 1);
    const l = busLoad(bus('/dev/ttyUSB0', { timeoutMs: 200, retries: 1 }), devices);
    expect(l.readsPerS).toBe(10);
    expect(l.load).toBeCloseTo(0.458, 2);
    // every read timing out, retried once: (request + gap + timeout + settle) × 2 per read
    expect(l.worstLoad).toBeCloseTo((10 * 2 * (8 * 11 / 9.6 + 3.5 * 11 / 9.6 + 400)) / 1000, 2);
  });
});
