/**
 * Work tickets on a running agent (作业票): confined-space entry and hot work, enforced by the
 * gateway step by step. Built in one place (app.ts); it listens to the plant and never drives
 * a permit relay. On the safety path, synchronously in the plant's sample callback: a gas reading
 * out of range, ventilation stopping or the attendant leaving during entry raises the critical
 * evacuate alarm (撤离), whose beacon the plant drives, and drops the space's entry output. A hatch
 * opened while no ticket permits entry is a critical alarm and a hidden-hazard record under
 * 有限空间-2. Every step is a `ticket` event, stored with the ticket in one transaction first.
 */
import type { ConfinedSpaceConfig, HotWorkConfig } from '../config/closed-loop.js';
import type { Clock, Timer } from '../core/clock.js';
import { dayId, dayPrefix } from '../core/local-date.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent, Sample } from '../core/types.js';
import type { Db } from '../buffer/sqlite.js';
import { Condition, describeCondition } from '../interlocks/condition.js';
import type { Plant } from '../plant/plant.js';
import { GATEWAY } from '../records/actors.js';
import type { Actor } from '../records/hazard-machine.js';
import type { Finding } from '../records/hazard-records.js';
import type { Serial } from '../records/hazard-store.js';
import { applyEntry, evacuateHolds, openEntry, unmetStep, type EntryAction, type EntryRefusal, type GasReading, type OpenRequest } from './entry-machine.js';
import { hotWorkLapsed, permitHotWork } from './hot-work.js';
import type { PeopleLedger } from './people-ledger.js';
import { TicketStore } from './ticket-store.js';
import { isLive, peopleOf, type ConfinedSpaceTicket, type HotWorkTicket, type Ticket } from './ticket.js';
import { SpaceWatch } from './space-watch.js';

/** 工贸企业重大事故隐患判定标准 有限空间 item 二: entry without an approved ticket */
export const UNTICKETED_CLAUSE = '有限空间-2';
const UNTICKETED_RECTIFY_WITHIN_H = 24;
/** ventilation time and test age are judged at least this often, between samples */
const TICK_MS = 1000;
/** closed tickets stay on the page for a day */
const KEEP_CLOSED_MS = 24 * 3_600_000;

type Words = { zh: string; en: string };
export type TicketRefusal = EntryRefusal | 'unknown-ticket' | 'space-busy' | 'unknown-person' | 'unknown-work' | 'no-certificate' | 'certificate-expired' | 'not-cleaned' | 'conditions';
export type TicketResult = { ok: true; ticket: Ticket } | { ok: false; refusal: TicketRefusal; reason: Words };

/** What a person asks of a ticket on the page. */
export type TicketStep =
  | { kind: 'test'; portable?: Record<string, number> }
  | { kind: 'enter' | 'exit'; person: string }
  | { kind: 'suspend' | 'resume' | 'close' };

export interface TicketLoopOptions {
  plant: Plant;
  spaces: readonly ConfinedSpaceConfig[];
  hotWork: readonly HotWorkConfig[];
  ledger: PeopleLedger;
  /** the cleaning check-ins: when an area was last cleaned */
  lastCleanedAt: (area: string) => number | undefined;
  /** opens (or gives the open) hidden-hazard record */
  find: (f: Finding) => Promise<unknown>;
  db: { db: Db; serial: Serial };
  emit: (e: PlantEvent) => Promise<void>;
  clock: Clock;
  log: Logger;
  timeZone?: string;
}

const EVENT_STATE: Record<EntryAction['kind'] | 'open', string> = {
  open: 'opened',
  test: 'tested',
  permit: 'entry_permitted',
  enter: 'entered',
  exit: 'exited',
  suspend: 'suspended',
  hold: 'suspended',
  resume: 'entry_permitted',
  evacuate: 'evacuate',
  close: 'closed',
};

export class TicketLoop {
  private readonly tickets = new Map<string, Ticket>();
  private readonly watches = new Map<string, SpaceWatch>();
  private readonly requires = new Map<string, Condition[]>();
  private readonly hatchFound = new Set<string>();
  private timer: Timer | undefined;
  private stopped = false;
  private readonly listeners = new Set<() => void>();
  /** opens one at a time, so two supervisors never get one id */
  private opening: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: TicketStore,
    private readonly o: TicketLoopOptions,
  ) {
    const { plant } = o;
    for (const s of o.spaces) {
      this.watches.set(s.id, new SpaceWatch(s, plant.points));
      const name = s.name ?? s.id;
      plant.alarms.define({ id: `${s.id}.evacuate`, source: s.id, name: `${name} 撤离`, nameEn: `${name}: evacuate`, priority: 'critical', shelvable: false });
      if (s.hatch) plant.alarms.define({ id: `${s.id}.unticketed`, source: s.id, name: `${name} 无票开启`, nameEn: `${name}: opened without a ticket`, priority: 'critical', shelvable: false });
    }
    for (const w of o.hotWork) {
      this.requires.set(w.id, w.requires.map((c, i) => {
        const words = describeCondition(c, plant.points);
        return new Condition(c, `${w.id}.requires${i}`, words.zh, words.en);
      }));
    }
  }

  static async start(o: TicketLoopOptions): Promise<TicketLoop> {
    const store = await TicketStore.open(o.db.db, o.db.serial);
    const loop = new TicketLoop(store, { ...o, log: o.log.child({ component: 'tickets' }) });
    o.ledger.guard((person) => loop.names(person));
    for (const t of await store.current(o.clock.now() - KEEP_CLOSED_MS)) loop.tickets.set(t.id, t);
    for (const e of await store.unemitted()) await loop.send(e);
    // what the plant read before the loop listened (the contacts' first levels), then every sample
    const sources = new Set([...[...loop.watches.values()].flatMap((w) => [...w.sources]), ...[...loop.requires.values()].flatMap((cs) => cs.map((c) => c.source))]);
    // (every condition primed before any is judged: a space half read would look like danger)
    for (const p of sources) {
      const cur = o.plant.points.get(p);
      if (cur) loop.observe({ p, t: cur.t, v: cur.v, q: cur.q }, false);
    }
    loop.tick();
    o.plant.onSample((s) => loop.observe(s));
    loop.timer = o.clock.setInterval(() => loop.tick(), TICK_MS);
    return loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.opening;
    await this.store.close();
  }

  get ledger(): PeopleLedger {
    return this.o.ledger;
  }

  /** Called after every change of a ticket; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The spaces and hot-work areas a supervisor may open a ticket on. */
  places(): { spaces: { id: string; name: string; maxEntrants: number; portable: { id: string; name: string; unit?: string }[] }[]; hotWork: { id: string; name: string; certificate: string; validH: number }[] } {
    return {
      spaces: [...this.watches.values()].map((w) => ({ id: w.cfg.id, name: w.name, maxEntrants: w.cfg.maxEntrants, portable: w.portable().map((p) => ({ id: p.portable, name: p.name ?? p.portable, ...(p.unit ? { unit: p.unit } : {}) })) })),
      hotWork: this.o.hotWork.map((w) => ({ id: w.id, name: w.name ?? w.id, certificate: w.certificate, validH: w.validH })),
    };
  }

  /** Each check before entry, done or not, in the order the gateway takes them. */
  checks(t: Ticket): { key: string; ok: boolean; zh: string; en: string }[] {
    if (t.kind !== 'confined_space') return [];
    const w = this.watches.get(t.space);
    if (!w) return [];
    const now = this.o.clock.now();
    const f = w.facts(now);
    const ventMin = Math.floor((f.ventilatedForMs ?? 0) / 60_000);
    const needMin = Math.ceil(w.limits.ventilationMs / 60_000);
    const age = t.test ? Math.floor((now - t.test.t) / 60_000) : undefined;
    const testOk = t.test !== undefined && t.test.pass && age! <= w.limits.testValidMin;
    return [
      { key: 'isolation', ok: f.notIsolated.length === 0, zh: f.notIsolated.length ? `未上锁：${f.notIsolated.join('、')}` : '能量隔离：已全部上锁', en: f.notIsolated.length ? `not locked out: ${f.notIsolated.join(', ')}` : 'isolation: every lockout applied' },
      { key: 'ventilation', ok: f.ventilatedForMs !== undefined && f.ventilatedForMs >= w.limits.ventilationMs, zh: f.ventilatedForMs === undefined ? '通风未运行' : `通风 ${ventMin}/${needMin} 分钟`, en: f.ventilatedForMs === undefined ? 'ventilation not running' : `ventilated ${ventMin} of ${needMin} min` },
      { key: 'test', ok: testOk, zh: !t.test ? '未检测' : !t.test.pass ? '检测不合格' : `检测合格，${age} 分钟前（${w.limits.testValidMin} 分钟内有效）`, en: !t.test ? 'no gas test' : !t.test.pass ? 'gas test failed' : `test passed ${age} min ago (valid ${w.limits.testValidMin} min)` },
      { key: 'attendant', ok: f.attendantPresent, zh: f.attendantPresent ? '监护人在岗' : '监护人不在岗', en: f.attendantPresent ? 'attendant present' : 'attendant not present' },
    ];
  }

  /** A fixed detector's readings now, for the test dialog. */
  readingsNow(space: string): GasReading[] {
    return this.watches.get(space)?.readings() ?? [];
  }

  list(): Ticket[] {
    return [...this.tickets.values()].sort((a, b) => b.openedAt - a.openedAt);
  }

  get(id: string): Ticket | undefined {
    return this.tickets.get(id);
  }

  /** A ticket's events, oldest first, for its print view; undefined for an unknown one. */
  async history(id: string): Promise<PlantEvent[] | undefined> {
    return this.tickets.has(id) || (await this.store.get(id)) ? this.store.history(id) : undefined;
  }

  async ticket(id: string): Promise<Ticket | undefined> {
    return this.tickets.get(id) ?? (await this.store.get(id));
  }

  /** Is anyone of this name on a ticket not yet closed (the ledger may not drop them)? */
  names(person: string): boolean {
    return [...this.tickets.values()].some((t) => isLive(t) && peopleOf(t).includes(person));
  }

  spaceWatch(id: string): SpaceWatch | undefined {
    return this.watches.get(id);
  }

  /** The next step of a ticket and why it is not yet done, as the page shows it. */
  nextStep(t: Ticket): Words | undefined {
    if (t.kind === 'hot_work' || t.state !== 'opened' && t.state !== 'suspended') return undefined;
    const w = this.watches.get(t.space);
    if (!w) return undefined;
    if (t.state === 'suspended' && t.suspendedBy !== GATEWAY) return { zh: `由 ${t.suspendedBy} 暂停，待主管恢复`, en: `paused by ${t.suspendedBy}: a supervisor resumes it` };
    const now = this.o.clock.now();
    const r = applyEntry(t, { kind: 'permit' }, now, w.facts(now), w.limits);
    return r.ok ? undefined : r.reason;
  }

  /** A supervisor opens a confined-space entry ticket; people from the ledger. */
  openEntry(req: Omit<OpenRequest, 'id'>, by: Actor): Promise<TicketResult> {
    return this.oneAtATime(async () => {
      const now = this.o.clock.now();
      const id = await this.nextId('ZY', now);
      const ticketReq = { ...req, id };
      const r = openEntry(ticketReq, by, now, new Set(this.watches.keys()));
      if (!r.ok) {
        // a person's forged or malformed request changes nothing; a supervisor's refused open is on record
        if (r.refusal === 'not-permitted' || r.refusal === 'unknown-space') return r;
        return this.refuseOpen(ticketReq, by, now, r);
      }
      const busy = this.liveOn(req.space);
      if (busy) return this.refuseOpen(ticketReq, by, now, { refusal: 'space-busy', reason: { zh: `该空间已有作业票 ${busy.id}`, en: `${busy.id} is already open on this space` } });
      for (const person of [r.ticket.attendant, ...r.ticket.entrants]) {
        if (!(await this.o.ledger.certificates(person))) return this.refuseOpen(ticketReq, by, now, { refusal: 'unknown-person', reason: { zh: `${person} 不在特种作业人员台账中`, en: `${person} is not in the special-operations ledger` } });
      }
      const t: ConfinedSpaceTicket = { ...r.ticket, kind: 'confined_space', n: 0 };
      await this.commit(t, this.event(t, 'open', by.user, now));
      this.evaluate(t.space, now);
      return { ok: true, ticket: this.tickets.get(t.id)! };
    });
  }

  /** A supervisor issues a hot-work ticket: cleaned, conditions holding, the worker certified. */
  openHotWork(req: { space: string; work: string; worker: string; inCharge?: string }, by: Actor): Promise<TicketResult> {
    return this.oneAtATime(async () => {
      const cfg = this.o.hotWork.find((w) => w.id === req.space);
      if (!cfg) return { ok: false, refusal: 'unknown-work', reason: { zh: `站点文件中没有动火作业 ${req.space}`, en: `no hot work ${req.space} in the site file` } };
      const now = this.o.clock.now();
      const worker = req.worker.trim();
      const certificates = await this.o.ledger.certificates(worker);
      const failing = this.failing(cfg.id, now);
      const r = permitHotWork('', cfg, worker, by, now, { lastCleanedAt: this.o.lastCleanedAt, failing: failing.map((f) => f.zh), certificates: () => certificates });
      if (!r.ok && r.refusal === 'not-permitted') return r;
      const id = await this.nextId('DH', now);
      const t: HotWorkTicket = {
        kind: 'hot_work',
        id,
        n: 0,
        space: cfg.id,
        work: req.work.trim() || (cfg.name ?? cfg.id),
        worker,
        inCharge: req.inCharge?.trim() || by.user.trim(),
        openedAt: now,
        openedBy: by.user.trim(),
        state: r.ok ? 'permitted' : 'refused',
        ...(r.ok ? { permit: { ...r.permit, ticket: id } } : { refusal: { refusal: r.refusal, reason: r.reason } }),
      };
      if (!r.ok) {
        await this.commit(t, this.event(t, 'refused', by.user, now, { refusal: r.refusal, reason: r.reason }));
        return r;
      }
      await this.commit(t, this.event(t, 'opened', by.user, now));
      await this.commit(t, this.event(t, 'entry_permitted', GATEWAY, now, { lapsesAt: t.permit!.lapsesAt }));
      return { ok: true, ticket: t };
    });
  }

  /** A person's step on a ticket: a gas test, someone in or out, a pause, a resume, the close. */
  async act(id: string, step: TicketStep, by: Actor): Promise<TicketResult> {
    const t = this.tickets.get(id);
    if (!t) return { ok: false, refusal: 'unknown-ticket', reason: { zh: `没有作业票 ${id}`, en: `no ticket ${id}` } };
    const now = this.o.clock.now();
    if (t.kind === 'hot_work') return this.actHotWork(t, step, by, now);
    const w = this.watches.get(t.space)!;
    let action: EntryAction;
    if (step.kind === 'test') {
      const typed: GasReading[] = [];
      for (const [name, value] of Object.entries(step.portable ?? {})) {
        const reading = w.judgePortable(name, value);
        if (!reading) return { ok: false, refusal: 'no-readings', reason: { zh: `读数 ${name} 不属于该空间或不是数字`, en: `${name}: not a reading of this space, or not a number` } };
        typed.push(reading);
      }
      const missing = w.portable().filter((p) => !typed.some((r) => r.name === p.portable));
      if (missing.length) return { ok: false, refusal: 'no-readings', reason: { zh: `请填写便携式检测仪读数：${missing.map((m) => m.name ?? m.portable).join('、')}`, en: `type in the portable readings: ${missing.map((m) => m.portable).join(', ')}` } };
      action = { kind: 'test', by, readings: [...w.readings(), ...typed] };
    } else if (step.kind === 'enter' || step.kind === 'exit') action = { kind: step.kind, by, person: step.person };
    else action = { kind: step.kind, by };
    const r = applyEntry(t, action, now, w.facts(now), w.limits);
    if (!r.ok) {
      if (r.refusal !== 'not-permitted' && r.refusal !== 'wrong-state') await this.commit(t, this.event(t, 'refused', by.user, now, { step: step.kind, refusal: r.refusal, reason: r.reason }));
      return r;
    }
    const next: ConfinedSpaceTicket = { ...t, ...r.ticket, kind: 'confined_space', n: t.n };
    const extra = action.kind === 'test' ? { readings: next.test!.readings, pass: next.test!.pass } : action.kind === 'enter' || action.kind === 'exit' ? { person: action.person.trim() } : {};
    await this.commit(next, this.event(next, action.kind, by.user, now, extra));
    this.evaluate(next.space, now);
    return { ok: true, ticket: this.tickets.get(id)! };
  }

  private async actHotWork(t: HotWorkTicket, step: TicketStep, by: Actor, now: number): Promise<TicketResult> {
    if (step.kind !== 'close') return { ok: false, refusal: 'wrong-state', reason: { zh: '动火作业票只能关闭', en: 'a hot-work ticket can only be closed' } };
    if (t.state === 'closed' || t.state === 'refused') return { ok: false, refusal: 'wrong-state', reason: { zh: '作业票已关闭', en: 'the ticket is closed' } };
    if (by.role !== 'supervisor' || by.user.trim() === '' || by.user.trim() === GATEWAY) return { ok: false, refusal: 'not-permitted', reason: { zh: '请登录主管账号', en: 'a logged-in supervisor is needed' } };
    const next: HotWorkTicket = { ...t, state: 'closed', closedAt: now, closedBy: by.user.trim() };
    this.setHotWorkAlarm(next, undefined, now);
    await this.commit(next, this.event(next, 'closed', by.user, now));
    return { ok: true, ticket: next };
  }

  /** The safety path: a sample of a watched source is judged at once. */
  private observe(s: Sample, judge = true): void {
    if (this.stopped) return;
    for (const [id, w] of this.watches) {
      if (!w.sources.has(s.p)) continue;
      w.observe(s);
      if (judge) this.evaluate(id, s.t);
    }
    for (const [id, conds] of this.requires) {
      let touched = false;
      for (const c of conds) {
        if (c.source !== s.p) continue;
        c.observe(s, this.o.plant.points);
        touched = true;
      }
      if (touched && judge) this.evaluateHotWork(id, s.t);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    for (const id of this.watches.keys()) this.evaluate(id, now);
    for (const id of this.requires.keys()) this.evaluateHotWork(id, now);
  }

  /** One space: permit, pause, evacuate, the output and the hatch; synchronous, the writes queued. */
  private evaluate(space: string, now: number): void {
    const w = this.watches.get(space)!;
    const t = this.liveOn(space) as ConfinedSpaceTicket | undefined;
    if (t) {
      const facts = w.facts(now);
      const danger = w.danger();
      let step: EntryAction | undefined;
      if (t.state === 'opened' || (t.state === 'suspended' && t.suspendedBy === GATEWAY)) step = { kind: 'permit' };
      else if (t.state === 'permitted' && danger && t.inside.length) step = { kind: 'evacuate', cause: danger };
      else if (t.state === 'permitted' && !t.inside.length) {
        const why = danger ?? unmetStep(t, facts, w.limits, now)?.reason;
        if (why) step = { kind: 'hold', cause: why };
      }
      if (step) {
        const r = applyEntry(t, step, now, facts, w.limits);
        if (r.ok) {
          const next: ConfinedSpaceTicket = { ...t, ...r.ticket, kind: 'confined_space', n: t.n };
          const cause = step.kind === 'evacuate' || step.kind === 'hold' ? { cause: step.cause } : {};
          void this.commit(next, this.event(next, step.kind, GATEWAY, now, cause)).catch(() => undefined);
        }
      }
    }
    const cur = this.liveOn(space) as ConfinedSpaceTicket | undefined;
    this.setEvacuate(w, cur, now);
    if (w.cfg.output) this.o.plant.outputs.set(w.cfg.output, cur?.state === 'permitted');
    this.watchHatch(w, cur, now);
  }

  private setEvacuate(w: SpaceWatch, t: ConfinedSpaceTicket | undefined, now: number): void {
    const on = t !== undefined && evacuateHolds(t);
    const cause = t?.evacuateCause;
    this.o.plant.alarms.set(`${w.cfg.id}.evacuate`, on, {
      t: now,
      message: on ? `${w.name} 撤离：${cause?.zh ?? ''}，空间内 ${t.inside.length} 人` : `${w.name} 人员已全部撤出`,
      messageEn: on ? `${w.name}: evacuate, ${cause?.en ?? ''}; ${t.inside.length} inside` : `${w.name}: everyone is out`,
    });
  }

  /** The hatch open while no ticket permits entry (nor pauses or evacuates it): an alarm and a record. */
  private watchHatch(w: SpaceWatch, t: ConfinedSpaceTicket | undefined, now: number): void {
    if (!w.cfg.hatch) return;
    const guarded = t !== undefined && (t.state === 'permitted' || t.state === 'suspended' || t.state === 'evacuate');
    const bad = w.hatchOpen() && !guarded;
    this.o.plant.alarms.set(`${w.cfg.id}.unticketed`, bad, {
      t: now,
      hazard: bad,
      message: bad ? `${w.name} 在无作业票许可时被打开` : `${w.name} 已关闭`,
      messageEn: bad ? `${w.name}: opened while no ticket permits entry` : `${w.name}: closed`,
    });
    if (!bad) {
      this.hatchFound.delete(w.cfg.id);
      return;
    }
    if (this.hatchFound.has(w.cfg.id)) return;
    this.hatchFound.add(w.cfg.id);
    const finding: Finding = {
      rule: `${w.cfg.id}.unticketed`,
      clause: UNTICKETED_CLAUSE,
      grade: 'major',
      title: `${w.name} 未经审批进入有限空间`,
      description: `${w.name} 在无作业票许可时被打开 / ${w.name} opened while no ticket permits entry`,
      by: GATEWAY,
      rectifyWithinH: UNTICKETED_RECTIFY_WITHIN_H,
    };
    this.o.find(finding).catch((err: unknown) => this.o.log.error({ err, space: w.cfg.id }, 'hidden hazard not recorded'));
  }

  /** Does the gateway still see the hatch of this record's space open without a ticket? */
  present(rule: string): boolean | undefined {
    const space = rule.endsWith('.unticketed') ? this.watches.get(rule.slice(0, -'.unticketed'.length)) : undefined;
    return space ? this.o.plant.alarms.views().find((a) => a.id === rule)?.active ?? false : undefined;
  }

  /** Hot work: lapses at validH; a requirement failing pauses it with a high alarm, holding again resumes it. */
  private evaluateHotWork(id: string, now: number): void {
    for (const t of this.tickets.values()) {
      if (t.kind !== 'hot_work' || t.space !== id || !isLive(t)) continue;
      if (t.permit && hotWorkLapsed(t.permit, now)) {
        const next: HotWorkTicket = { ...t, state: 'closed', closedAt: now, closedBy: GATEWAY, lapsed: true };
        this.setHotWorkAlarm(next, undefined, now);
        void this.commit(next, this.event(next, 'closed', GATEWAY, now, { lapsed: true })).catch(() => undefined);
        continue;
      }
      const why = this.failing(id, now)[0];
      if (why && t.state === 'permitted') {
        const next: HotWorkTicket = { ...t, state: 'suspended', holdCause: why };
        this.setHotWorkAlarm(next, why, now);
        void this.commit(next, this.event(next, 'suspended', GATEWAY, now, { cause: why })).catch(() => undefined);
      } else if (!why && t.state === 'suspended') {
        const { holdCause: _h, ...rest } = t;
        const next: HotWorkTicket = { ...rest, state: 'permitted' };
        this.setHotWorkAlarm(next, undefined, now);
        void this.commit(next, this.event(next, 'entry_permitted', GATEWAY, now)).catch(() => undefined);
      }
    }
  }

  private setHotWorkAlarm(t: HotWorkTicket, why: Words | undefined, now: number): void {
    const alarm = `${t.id}.conditions`;
    if (why) this.o.plant.alarms.define({ id: alarm, source: t.space, name: `${t.work} 动火条件不满足`, nameEn: `${t.work}: hot-work conditions lost`, priority: 'high' });
    this.o.plant.alarms.set(alarm, why !== undefined, {
      t: now,
      message: why ? `停止动火：${why.zh}` : `${t.work} 动火条件恢复`,
      messageEn: why ? `stop the hot work: ${why.en}` : `${t.work}: conditions hold again`,
    });
  }

  private failing(id: string, now: number): Words[] {
    return (this.requires.get(id) ?? []).filter((c) => !c.holds(now)).map((c) => ({ zh: c.text, en: c.textEn }));
  }

  private liveOn(space: string): Ticket | undefined {
    for (const t of this.tickets.values()) if (t.kind === 'confined_space' && t.space === space && isLive(t)) return t;
    return undefined;
  }

  private async refuseOpen(req: OpenRequest, by: Actor, now: number, r: { refusal: TicketRefusal; reason: Words }): Promise<TicketResult> {
    const t: ConfinedSpaceTicket = { ...req, kind: 'confined_space', n: 0, openedAt: now, openedBy: by.user.trim(), state: 'refused', inside: [], wasInside: [], refusal: { refusal: r.refusal, reason: r.reason } };
    await this.commit(t, this.event(t, 'refused', by.user, now, { refusal: r.refusal, reason: r.reason }));
    return { ok: false, refusal: r.refusal, reason: r.reason };
  }

  /** The ticket in memory at once (the safety path reads it), then stored with its event, then sent. */
  private async commit(t: Ticket, e: PlantEvent): Promise<void> {
    t.n += 1;
    this.tickets.set(t.id, t);
    for (const l of this.listeners) l();
    try {
      await this.store.write(t, e);
    } catch (err) {
      // a full or failing card: the gateway still acts on the change (it is in memory, and the
      // safety path reads it) and the event still goes to the buffer, which holds what it cannot
      // write; only a restart before the card recovers would lose the ticket's row
      this.o.log.error({ err, ticket: t.id, event: e.id }, 'ticket change not stored: the ticket lives in memory until the disk takes writes again');
    }
    await this.send(e);
  }

  private event(t: Ticket, step: EntryAction['kind'] | 'open' | string, by: string, now: number, extra: Record<string, unknown> = {}): PlantEvent {
    const state = EVENT_STATE[step as EntryAction['kind']] ?? step;
    const cs = t.kind === 'confined_space' ? t : undefined;
    const people = cs ? { inCharge: cs.inCharge, attendant: cs.attendant, entrants: cs.entrants, inside: cs.inside } : { inCharge: t.inCharge, worker: (t as HotWorkTicket).worker };
    const place = t.kind === 'confined_space' ? (this.watches.get(t.space)?.name ?? t.space) : (this.o.hotWork.find((w) => w.id === t.space)?.name ?? t.space);
    const reason = (extra['reason'] ?? extra['cause']) as Words | undefined;
    return {
      id: `${t.id}-${t.n + 1}`,
      t: now,
      type: 'ticket',
      ticket: t.id,
      kind: t.kind,
      state,
      by: by.trim(),
      source: t.space,
      ...(state === 'evacuate' ? { priority: 'critical' as const } : {}),
      message: `${place} ${t.id} ${state}${reason ? `：${reason.zh} / ${reason.en}` : ''}`,
      detail: { work: t.work, ...people, ...(cs ? { count: cs.inside.length } : {}), ...extra },
    };
  }

  private async send(e: PlantEvent): Promise<void> {
    try {
      await this.o.emit(e);
      await this.store.markEmitted(e.id);
    } catch (err) {
      // stored with emitted = 0: the next start sends it again
      this.o.log.error({ err, event: e.id }, 'ticket event not buffered');
    }
  }

  private async nextId(kind: string, now: number): Promise<string> {
    return dayId(kind, now, await this.store.countWithPrefix(dayPrefix(kind, now, this.o.timeZone)), this.o.timeZone);
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = this.opening.then(work, work);
    this.opening = next.catch(() => undefined);
    return next;
  }
}
