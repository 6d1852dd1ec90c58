/**
 * A seeded garbage-slave run over real ptys (issue #14): a simulated unit answers each request at
 * random with the right reply, noise (with or without the reply behind it), a truncated frame, a
 * good-CRC frame with a wrong byte count, function, unit or write echo, a bad CRC, an exception
 * or silence, while a real master reads and writes through serialport and
 * modbus-serial. The check: every read the master reports as answered equals what the unit really
 * holds, and every write it reports as done is in the unit. Its values change before every request,
 * so a stale or late reply taken as an answer shows too. The test suite runs a short one, the
 * bench (bench/modbus-garbage.ts) a long one.
 */
import type { Clock } from '../clock.js';
import type { Logger } from 'pino';
import { classify, type ModbusErrorKind } from '../modbus/errors.js';
import { ModbusMaster } from '../modbus/master.js';
import { defaultPortFactory, type PortFactory } from '../modbus/port-factory.js';
import { ModbusDeviceSim, type SimFault, type SimUnit } from './modbus-device.js';
import { serveSimulator, startPtyPair } from './modbus-pty.js';

export interface GarbageRunOptions {
  seed: number;
  /** requests per lane */
  replies: number;
  /** independent pty pairs, each with its own unit and master, run side by side (default 1) */
  lanes?: number;
  baudRate?: number;
  /** the simulator's wire-time emulation (default true) */
  wireTime?: boolean;
  timeoutMs?: number;
  clock: Clock;
  log: Logger;
  openPort?: PortFactory;
}

export interface GarbageRunResult {
  /** requests made and their outcome checked, over all lanes */
  repliesChecked: number;
  /** answers reported good whose value was not the unit's (reads) or not in the unit (writes) */
  wrongGoodValues: number;
  /** answers reported good (and checked) */
  good: number;
  /** failures, by kind */
  failed: Partial<Record<ModbusErrorKind, number>>;
  /** the first few wrong good values, described */
  wrong: string[];
}

const UNIT = 1;
const TABLE_SIZE = 1000;
const WRONG_KEPT = 10;
const RECENT_KEPT = 64;

/** mulberry32: a small seeded generator, so a run's requests and faults repeat from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const bytes = (rnd: () => number, n: number) => Array.from({ length: n }, () => between(rnd, 0, 255));

/** What the garbage unit does with one request; weights in parts of 100. */
export function garbageFault(rnd: () => number): SimFault | null {
  const table: [number, () => SimFault | null][] = [
    // No late replies: their cases are in test/modbus/pty-faults.test.ts. Here, at 20 lanes on a
    // machine at load 20, one later than the timeout and relayed late by socat reached the master
    // after the silence it waits out (seen once in 100,000, named as the previous read's answer):
    // RTU has nothing (no transaction id, no address in a read reply) to tell it from an answer.
    [36, () => null],
    [8, () => ({ kind: 'noise', bytes: bytes(rnd, between(rnd, 1, 12)) })],
    [3, () => ({ kind: 'noise', bytes: bytes(rnd, between(rnd, 1, 40)), reply: false })],
    [5, () => ({ kind: 'truncate', keep: between(rnd, 1, 6) })],
    [8, () => ({ kind: 'wrongByteCount', by: rnd() < 0.5 ? 2 : between(rnd, -4, 6) || 1, frame: rnd() < 0.6 ? 'asked' : 'counted' })],
    [8, () => (rnd() < 0.7 ? { kind: 'wrongFunction' } : { kind: 'wrongFunction', fc: between(rnd, 1, 127) })],
    [7, () => ({ kind: 'wrongUnit', unitId: between(rnd, 2, 247) })],
    [8, () => ({ kind: 'wrongEcho', field: rnd() < 0.5 ? 'address' : 'value' })],
    [6, () => ({ kind: 'badCrc' })],
    [8, () => ({ kind: 'exception', code: between(rnd, 1, 11) })],
    [3, () => ({ kind: 'silence' })],
  ];
  let r = rnd() * 100;
  for (const [weight, make] of table) {
    if (r < weight) return make();
    r -= weight;
  }
  return null;
}

export async function garbageRun(opts: GarbageRunOptions): Promise<GarbageRunResult> {
  const result: GarbageRunResult = { repliesChecked: 0, wrongGoodValues: 0, good: 0, failed: {}, wrong: [] };
  const lanes = Array.from({ length: opts.lanes ?? 1 }, (_, i) => lane(opts, opts.seed + 7919 * i, result));
  await Promise.all(lanes);
  return result;
}

async function lane(opts: GarbageRunOptions, seed: number, result: GarbageRunResult): Promise<void> {
  const baudRate = opts.baudRate ?? 115_200;
  const timeoutMs = opts.timeoutMs ?? 50;
  const wireTime = opts.wireTime ?? true;
  const pair = await startPtyPair();
  const sim = new ModbusDeviceSim({ line: { baudRate }, wireTime, frameByLength: !wireTime });
  const served = await serveSimulator(sim, pair.b);
  const master = new ModbusMaster({
    bus: { id: `garbage${seed}`, port: pair.a, baudRate, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs, retries: 0 },
    openPort: opts.openPort ?? defaultPortFactory,
    clock: opts.clock,
    log: opts.log,
  });
  const requests = seededRandom(seed);
  const recent: { n: number; table: string; held: unknown[] }[] = [];
  let sent = 0;
  const faults = seededRandom(seed ^ 0x5eed);
  const unit = sim.unit(UNIT).faultEach(() => garbageFault(faults));
  try {
    if (!(await master.start())) throw new Error(`garbage run: ${pair.a} did not open`);
    for (let i = 0; i < opts.replies; i++) {
      const wrong = await oneRequest(master, unit, requests);
      result.repliesChecked++;
      if (wrong === undefined) continue;
      result.good++;
      if (wrong === null) continue;
      result.wrongGoodValues++;
      if (result.wrong.length < WRONG_KEPT) result.wrong.push(wrong);
    }
  } finally {
    await master.stop();
    await served.close();
    sim.close();
    await pair.stop();
  }

  /** One random request: undefined when it failed, null when answered right, else what was wrong. */
  async function oneRequest(m: ModbusMaster, u: SimUnit, rnd: () => number): Promise<string | null | undefined> {
    const pick = rnd() * 100;
    // now and then past the table's end, so the unit's own exception 2 is in the mix
    const beyond = rnd() < 0.02;
    if (pick < 60) {
      const table = pick < 40 ? 'holding' : 'input';
      const count = between(rnd, 1, 16);
      const address = beyond ? TABLE_SIZE - between(rnd, 0, count - 1) : between(rnd, 0, 199);
      if (!beyond) u.setRegisters(table, address, Array.from({ length: count }, () => between(rnd, 0, 0xffff)));
      const held = asked(table, heldBy(count, (k) => (table === 'holding' ? u.holding(address + k) : u.input(address + k))));
      const got = await attempt(m.readRegisters(UNIT, table, address, count));
      return got === FAILED ? undefined : readVerdict(`${table} ${address}+${count}`, table, got, held);
    }
    if (pick < 75) {
      const table = pick < 68 ? 'coil' : 'discrete';
      const count = between(rnd, 1, 40);
      const address = beyond ? TABLE_SIZE - between(rnd, 0, count - 1) : between(rnd, 0, 199);
      if (!beyond) {
        for (let k = 0; k < count; k++) {
          if (table === 'coil') u.setCoil(address + k, rnd() < 0.5);
          else u.setDiscrete(address + k, rnd() < 0.5);
        }
      }
      const held = asked(table, heldBy(count, (k) => (table === 'coil' ? u.coil(address + k) : u.discrete(address + k))));
      const got = await attempt(m.readBits(UNIT, table, address, count));
      return got === FAILED ? undefined : readVerdict(`${table} ${address}+${count}`, table, got, held);
    }
    const address = between(rnd, 0, 199);
    if (pick < 90) {
      const values = Array.from({ length: pick < 85 ? 1 : between(rnd, 1, 8) }, () => between(rnd, 0, 0xffff));
      const done = await attempt(pick < 85 ? m.writeRegister(UNIT, address, values[0]!) : m.writeRegisters(UNIT, address, values));
      return done === FAILED ? undefined : verdict(`write holding ${address}+${values.length}`, values, heldBy(values.length, (k) => u.holding(address + k)));
    }
    const states = Array.from({ length: pick < 95 ? 1 : between(rnd, 1, 20) }, () => rnd() < 0.5);
    const done = await attempt(pick < 95 ? m.writeCoil(UNIT, address, states[0]!) : m.writeCoils(UNIT, address, states));
    return done === FAILED ? undefined : verdict(`write coil ${address}+${states.length}`, states, heldBy(states.length, (k) => u.coil(address + k)));
  }

  /** Notes what the unit held when a read was asked, so a wrong answer can be traced to an earlier request. */
  function asked<T>(table: string, held: T[]): T[] {
    recent.push({ n: sent++, table, held });
    if (recent.length > RECENT_KEPT) recent.shift();
    return held;
  }

  /** verdict() for a read, naming the earlier read whose answer `got` is, if one is: a late reply taken for a new one. */
  function readVerdict<T>(what: string, table: string, got: T[], held: T[]): string | null {
    const wrong = verdict(what, got, held);
    if (wrong === null) return null;
    const now = sent - 1;
    const earlier = recent.findLast((r) => r.n < now && r.table === table && verdict('', got, r.held as T[]) === null);
    return earlier ? `${wrong} (what it held at the read ${now - earlier.n} requests earlier)` : wrong;
  }

  async function attempt<T>(p: Promise<T>): Promise<T | typeof FAILED> {
    try {
      return await p;
    } catch (raw) {
      const kind = classify(raw, UNIT).kind;
      result.failed[kind] = (result.failed[kind] ?? 0) + 1;
      return FAILED;
    }
  }
}

const FAILED = Symbol('failed');

/** What the unit holds at offsets 0..count-1; undefined past its table's end. */
function heldBy<T>(count: number, at: (k: number) => T): (T | undefined)[] {
  return Array.from({ length: count }, (_, k) => {
    try {
      return at(k);
    } catch {
      return undefined;
    }
  });
}

/** null when `reported` (what the master said) is what the unit holds, else a description. */
function verdict<T>(what: string, reported: T[], held: (T | undefined)[]): string | null {
  const same = reported.length === held.length && reported.every((v, i) => v === held[i]);
  return same ? null : `${what}: reported ${JSON.stringify(reported)}, unit holds ${JSON.stringify(held)}`;
}
