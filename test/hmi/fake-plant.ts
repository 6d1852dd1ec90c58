/**
 * An in-memory PlantModel for the HMI tests: the test raises and clears alarms, trips permits and
 * sets values; the page's actions change the state for real and are recorded with the user's name.
 */
import type { Clock } from '../../agent/core/clock.js';
import type { Priority, Quality, Value } from '../../agent/core/types.js';
import type {
  ActionResult,
  AlarmView,
  DeviceHealthView,
  LockoutView,
  PermitView,
  PlantModel,
  PlantSnapshot,
  PointView,
  UplinkView,
} from '../../agent/hmi/model.js';

export interface RecordedAction {
  action: 'acknowledge' | 'shelve' | 'reset';
  id: string;
  user: string;
  t: number;
  reason?: string;
  until?: number;
}

export interface RaiseAlarm {
  id: string;
  source: string;
  name: string;
  priority: Priority;
  message: string;
  messageEn?: string;
  nameEn?: string;
  value?: Value;
  limit?: number;
  limitKind?: string;
  firstOut?: boolean;
}

type Refusal = Extract<ActionResult, { ok: false }>['refusal'];
const refuse = (refusal: Refusal, error: string): ActionResult => ({ ok: false, refusal, error });

export class FakePlant implements PlantModel {
  site: PlantSnapshot['site'] = { name: '测试车间', gateway: 'GW-TEST', enterprise: '91130100MA0TEST' };
  points: PointView[] = [];
  contacts: PointView[] = [];
  outputs: PlantSnapshot['outputs'] = [];
  permits: PermitView[] = [];
  alarms: AlarmView[] = [];
  lockouts: LockoutView[] = [];
  uplinks: UplinkView[] = [];
  devices: DeviceHealthView[] = [];
  flood: PlantSnapshot['flood'];
  /** what the page did, in order */
  readonly actions: RecordedAction[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  snapshot(): PlantSnapshot {
    // A deep copy, as a real model hands out: the server must not be able to change the plant by mutating it.
    return structuredClone({
      site: this.site,
      t: this.clock.now(),
      points: this.points,
      contacts: this.contacts,
      outputs: this.outputs,
      permits: this.permits,
      alarms: this.alarms,
      lockouts: this.lockouts,
      uplinks: this.uplinks,
      devices: this.devices,
      ...(this.flood ? { flood: this.flood } : {}),
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell listeners something changed (the test calls this after editing fields directly). */
  changed(): void {
    for (const l of this.listeners) l();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  raiseAlarm(a: RaiseAlarm): AlarmView {
    const existing = this.alarms.find((x) => x.id === a.id);
    const alarm: AlarmView = { ...a, state: 'unack', active: true, t: this.clock.now() };
    if (existing) Object.assign(existing, alarm, { ackBy: undefined, shelvedBy: undefined, shelvedUntil: undefined });
    else this.alarms.push(alarm);
    this.changed();
    return existing ?? alarm;
  }

  /** The condition goes away: an unacknowledged alarm becomes 恢复未确认, an acknowledged one clears. */
  clearAlarm(id: string): void {
    const a = this.mustAlarm(id);
    a.active = false;
    if (a.state === 'unack') a.state = 'rtn_unack';
    else if (a.state === 'ack') a.state = 'normal';
    this.changed();
  }

  alarm(id: string): AlarmView {
    return this.mustAlarm(id);
  }

  permit(id: string): PermitView {
    const p = this.permits.find((x) => x.id === id);
    if (!p) throw new Error(`no permit ${id}`);
    return p;
  }

  /** One condition stops holding: the permit drops and, if latched, stays off until reset. */
  trip(permitId: string, key: string): void {
    const p = this.permit(permitId);
    const c = p.conditions.find((x) => x.key === key);
    if (!c) throw new Error(`no condition ${key}`);
    const t = this.clock.now();
    c.holds = false;
    c.since = t;
    if (p.on) p.firstOut = { key, text: c.text, ...(c.textEn ? { textEn: c.textEn } : {}), t, simultaneous: [] };
    p.on = false;
    p.latched = true;
    p.resettable = false;
    this.changed();
  }

  /** The condition holds again; a latched permit becomes resettable but stays off. */
  restore(permitId: string, key: string): void {
    const p = this.permit(permitId);
    const c = p.conditions.find((x) => x.key === key);
    if (!c) throw new Error(`no condition ${key}`);
    c.holds = true;
    delete c.since;
    const all = p.conditions.every((x) => x.holds);
    if (p.latched) p.resettable = all;
    else p.on = all;
    this.changed();
  }

  setPoint(id: string, v: Value, q: Quality = 'good'): void {
    const p = [...this.points, ...this.contacts].find((x) => x.id === id);
    if (!p) throw new Error(`no point ${id}`);
    p.v = v;
    p.q = q;
    p.t = this.clock.now();
    this.changed();
  }

  async acknowledge(alarmId: string, user: string): Promise<ActionResult> {
    const a = this.alarms.find((x) => x.id === alarmId);
    if (!a) return refuse('unknown-alarm', `no alarm ${alarmId}`);
    if (a.state === 'unack') a.state = 'ack';
    else if (a.state === 'rtn_unack') a.state = 'normal';
    else return refuse('not-awaiting-ack', `alarm ${alarmId} is not waiting for acknowledgement (${a.state})`);
    a.ackBy = user;
    this.actions.push({ action: 'acknowledge', id: alarmId, user, t: this.clock.now() });
    this.changed();
    return { ok: true };
  }

  async shelve(alarmId: string, user: string, reason: string, untilMs: number): Promise<ActionResult> {
    const a = this.alarms.find((x) => x.id === alarmId);
    if (!a) return refuse('unknown-alarm', `no alarm ${alarmId}`);
    if (untilMs <= this.clock.now()) return refuse('shelve-ends-past', 'shelve expiry is in the past');
    a.state = 'shelved';
    a.shelvedBy = user;
    a.shelvedUntil = untilMs;
    this.actions.push({ action: 'shelve', id: alarmId, user, t: this.clock.now(), reason, until: untilMs });
    this.changed();
    return { ok: true };
  }

  async reset(interlockId: string, user: string): Promise<ActionResult> {
    const p = this.permits.find((x) => x.id === interlockId);
    if (!p) return refuse('unknown-permit', `no interlock ${interlockId}`);
    if (!p.latched) return refuse('not-latched', `interlock ${interlockId} is not latched`);
    if (!p.resettable) return refuse('conditions-fail', `interlock ${interlockId}: not every condition holds`);
    p.latched = false;
    p.resettable = false;
    p.on = true;
    delete p.firstOut;
    this.actions.push({ action: 'reset', id: interlockId, user, t: this.clock.now() });
    this.changed();
    return { ok: true };
  }

  /** A smooth made-up history, one sample every 10 s, with a gap where the sensor was offline. */
  async trend(pointId: string, fromMs: number, toMs: number): Promise<{ t: number; v: number | null }[]> {
    const p = this.points.find((x) => x.id === pointId);
    const base = typeof p?.v === 'number' ? p.v : 0;
    const out: { t: number; v: number | null }[] = [];
    const start = Math.ceil(fromMs / 10_000) * 10_000;
    for (let t = start; t <= toMs; t += 10_000) {
      const minutes = t / 60_000;
      const gap = Math.floor(minutes) % 180 >= 100 && Math.floor(minutes) % 180 < 104;
      out.push({ t, v: gap ? null : Math.round((base * (1 + 0.15 * Math.sin(minutes / 7)) + (minutes % 13)) * 10) / 10 });
    }
    return out;
  }

  private mustAlarm(id: string): AlarmView {
    const a = this.alarms.find((x) => x.id === id);
    if (!a) throw new Error(`no alarm ${id}`);
    return a;
  }
}
