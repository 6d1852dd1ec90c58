/**
 * The operator page's event stream on a fake clock: snapshots go to open pages, coalesced, with
 * a heartbeat; with no page open the gateway does no page work at all (no snapshot built, no
 * timer waking it).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock, type Clock, type Timer } from '../../agent/core/clock.js';
import type { PlantModel, PlantSnapshot } from '../../agent/hmi/model.js';
import { SnapshotStream } from '../../agent/hmi/sse.js';

/** A fake clock that counts the timers armed and not yet over. */
class CountingClock implements Clock {
  readonly inner = new FakeClock();
  live = 0;
  now = () => this.inner.now();
  monotonic = () => this.inner.monotonic();
  setTimeout(fn: () => void, ms: number): Timer {
    const end = this.counted();
    const t = this.inner.setTimeout(() => (end(), fn()), ms);
    return { cancel: () => (t.cancel(), end()) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const end = this.counted();
    const t = this.inner.setInterval(fn, ms);
    return { cancel: () => (t.cancel(), end()) };
  }
  /** one more live timer; the function returned ends it, once */
  private counted(): () => void {
    this.live++;
    let over = false;
    return () => {
      if (!over) {
        over = true;
        this.live--;
      }
    };
  }
}

/** A plant whose dust reading the test moves; counts the snapshots taken of it. */
class Plant {
  dust = 1.0;
  snapshots = 0;
  private readonly listeners = new Set<() => void>();
  readonly model = {
    snapshot: () => {
      this.snapshots++;
      return { t: 0, points: [{ id: 'dust1.conc', v: this.dust }] } as unknown as PlantSnapshot;
    },
    onChange: (l: () => void) => (this.listeners.add(l), () => this.listeners.delete(l)),
  } as unknown as PlantModel;
  move(v: number): void {
    this.dust = v;
    for (const l of this.listeners) l();
  }
}

/** An operator page: what the stream wrote to it, and a way to close it. */
function page() {
  const req = new EventEmitter();
  const written: string[] = [];
  const res = { writableLength: 0, writeHead: () => res, write: (s: string) => (written.push(s), true), end: () => undefined };
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    snapshots: () => written.filter((w) => w.startsWith('event: snapshot')).map((w) => JSON.parse(w.split('data: ')[1]!) as { points: { v: number }[] }),
    heartbeats: () => written.filter((w) => w.includes('event: heartbeat')).length,
    close: () => req.emit('close'),
  };
}

describe('the operator page stream', () => {
  it('does no page work while no page is open, and gives a page that opens the whole picture at once', () => {
    const clock = new CountingClock();
    const plant = new Plant();
    const stream = new SnapshotStream(plant.model, clock, pino({ level: 'silent' }));
    stream.start();
    for (let i = 0; i < 50; i++) {
      plant.move(1 + i / 10);
      clock.inner.advance(100);
    }
    clock.inner.advance(60_000);
    expect(plant.snapshots).toBe(0);
    expect(clock.live).toBe(0);

    const p = page();
    expect(stream.add(p.req, p.res)).toBe(true);
    expect(p.snapshots().map((s) => s.points[0]!.v)).toEqual([5.9]);
    stream.stop();
  });

  it('sends changes coalesced to one per 200 ms and a heartbeat every 10 s while a page is open, and stops when it closes', () => {
    const clock = new CountingClock();
    const plant = new Plant();
    const stream = new SnapshotStream(plant.model, clock, pino({ level: 'silent' }));
    stream.start();
    const p = page();
    stream.add(p.req, p.res);
    plant.move(2.5);
    plant.move(3.5); // within the same 200 ms: one snapshot
    clock.inner.advance(200);
    expect(p.snapshots().map((s) => s.points[0]!.v)).toEqual([1, 3.5]);
    clock.inner.advance(10_000);
    expect(p.heartbeats()).toBe(1);

    p.close();
    expect(clock.live).toBe(0);
    const before = plant.snapshots;
    plant.move(9);
    clock.inner.advance(60_000);
    expect(plant.snapshots).toBe(before);
    expect(p.heartbeats()).toBe(1);
    stream.stop();
  });
});
