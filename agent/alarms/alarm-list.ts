/**
 * The alarm list with the ISA-18.2 / IEC 62682 lifecycle: normal → unacknowledged →
 * acknowledged, or returned-to-normal unacknowledged; shelved with a reason and an expiry;
 * out of service. Every transition is an event with who and when.
 */
import type { Clock, Timer } from '../core/clock.js';
import type { PlantEvent, Priority, Value } from '../core/types.js';
import { refused, type Outcome } from '../core/outcome.js';
import type { AlarmRefusal, AlarmState, AlarmView } from './alarm-view.js';
import type { EventReporter } from '../plant/events.js';

export interface AlarmDefinition {
  id: string;
  source: string;
  name: string;
  /** English name for the operator page; site names inside it stay as the installer wrote them */
  nameEn?: string;
  priority: Priority;
  /** false for an alarm that may never be shelved (an interlock's trip); critical ones never are */
  shelvable?: boolean;
}

export interface AlarmOccurrence {
  t: number;
  value?: Value;
  limit?: number;
  limitKind?: string;
  message: string;
  messageEn?: string;
  hazard?: boolean;
}

/**
 * An alarm that has just become active, as its event reported it: the event's id names this
 * occurrence (the disposition records' `alarm`, docs/UPLINK.md). Out of service, an alarm is
 * tracked silently and reports no activation.
 */
export interface AlarmActivation {
  /** the id of the event that reported it */
  event: string;
  alarm: string;
  source: string;
  name: string;
  nameEn?: string;
  priority: Priority;
  t: number;
  message: string;
  messageEn?: string;
  /** it became active while shelved, out of the operator's sight */
  shelved: boolean;
}

interface Alarm extends AlarmDefinition {
  active: boolean;
  acked: boolean;
  t: number;
  value?: Value;
  limit?: number;
  limitKind?: string;
  message: string;
  messageEn?: string;
  firstOut: boolean;
  shelf?: { until: number; by: string; reason: string; timer: Timer };
  outOfService: boolean;
  ackBy?: string;
}

/**
 * ISA-18.2 lets a site keep alarms from shelving. Here no one may shelve an interlock's trip or
 * a critical alarm: a shelved trip hid the next real trip, and a critical alarm (vent burst,
 * energy under a lockout) must never be out of sight; docs/ALARMS.md gives the choice.
 */
const mayShelve = (a: AlarmDefinition): boolean => a.shelvable !== false && a.priority !== 'critical';

/** An event's text: Chinese first, then the English where there is one (docs/UPLINK.md, "events"). */
const both = (zh: string, en?: string): string => (en ? `${zh} / ${en}` : zh);

/** Alarms that fire within this window of each other are one flood; the first is marked. */
const FLOOD_WINDOW_MS = 1000;

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** present and showing, then returned to normal, then set aside (shelved, out of service) */
const presence = (a: AlarmView): number => (a.state === 'shelved' || a.state === 'oos' ? 2 : a.active ? 0 : 1);

/**
 * Present alarms before returned-to-normal ones, acknowledged or not; within each, a flood's
 * first-out (the cause the others follow from, ISA-18.2 §16), then priority, then newest first.
 * The page sorts the same way (hmi/public/alarms.js).
 */
function listOrder(x: AlarmView, y: AlarmView): number {
  return presence(x) - presence(y) || Number(!!y.firstOut) - Number(!!x.firstOut) || PRIORITY_RANK[x.priority] - PRIORITY_RANK[y.priority] || y.t - x.t;
}

export class AlarmList {
  private readonly alarms = new Map<string, Alarm>();
  private lastActivation = -Infinity;
  private lastLeader?: Alarm;
  private floodCount = 0;
  private floodStart = 0;
  private readonly listeners: (() => void)[] = [];
  private readonly activationListeners = new Set<(a: AlarmActivation) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly report: EventReporter,
  ) {}

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Each time an alarm becomes active; runs on the safety path, so a listener only queues work. */
  onActivation(listener: (a: AlarmActivation) => void): () => void {
    this.activationListeners.add(listener);
    return () => this.activationListeners.delete(listener);
  }

  define(def: AlarmDefinition): void {
    if (this.alarms.has(def.id)) return;
    this.alarms.set(def.id, { ...def, active: false, acked: true, t: 0, message: def.name, firstOut: false, outOfService: false });
  }

  /** The alarm condition is present (`active`) or not, as judged by its source. */
  set(id: string, active: boolean, occ: AlarmOccurrence): void {
    const a = this.alarms.get(id);
    if (!a || a.active === active) return;
    a.active = active;
    if (a.outOfService) {
      // tracked silently, so the alarm is right again the moment it returns to service
      if (active) Object.assign(a, { t: occ.t, value: occ.value, limit: occ.limit, limitKind: occ.limitKind, message: occ.message, messageEn: occ.messageEn });
      return;
    }
    if (active) {
      a.acked = false;
      a.ackBy = undefined;
      Object.assign(a, { t: occ.t, value: occ.value, limit: occ.limit, limitKind: occ.limitKind, message: occ.message, messageEn: occ.messageEn });
      this.markFlood(a, occ.t);
    }
    const event = this.emit(a, occ.t, { value: occ.value, limit: occ.limit, limitKind: occ.limitKind, message: both(occ.message, occ.messageEn), hazard: occ.hazard });
    if (!active) return;
    const activation: AlarmActivation = {
      event: event.id,
      alarm: a.id,
      source: a.source,
      name: a.name,
      ...(a.nameEn ? { nameEn: a.nameEn } : {}),
      priority: a.priority,
      t: occ.t,
      message: occ.message,
      ...(occ.messageEn ? { messageEn: occ.messageEn } : {}),
      shelved: a.shelf !== undefined,
    };
    for (const l of this.activationListeners) l(activation);
  }

  acknowledge(id: string, user: string): Outcome<AlarmRefusal> {
    const a = this.alarms.get(id);
    if (!a) return refused('unknown-alarm', `no alarm ${id}`);
    if (a.acked) return refused('not-awaiting-ack', `alarm ${id} is not awaiting acknowledgement`);
    a.acked = true;
    a.ackBy = user;
    this.emit(a, this.clock.now(), { user, message: both(`${a.name} 已确认`, `${a.nameEn ?? a.name} acknowledged`) });
    return { ok: true };
  }

  shelve(id: string, user: string, reason: string, until: number): Outcome<AlarmRefusal> {
    const a = this.alarms.get(id);
    if (!a) return refused('unknown-alarm', `no alarm ${id}`);
    const now = this.clock.now();
    if (!mayShelve(a)) return refused('not-shelvable', `alarm ${id} may not be shelved: interlock trips and critical alarms stay in view (docs/ALARMS.md)`);
    if (until <= now) return refused('shelve-ends-past', 'shelving must end in the future');
    a.shelf?.timer.cancel();
    const timer = this.clock.setTimeout(() => this.unshelve(a), until - now);
    a.shelf = { until, by: user, reason, timer };
    this.emit(a, now, { user, message: both(`${a.name} 已搁置: ${reason}`, `${a.nameEn ?? a.name} shelved: ${reason}`), detail: { reason, until } });
    return { ok: true };
  }

  /** Out of service (maintenance, a removed sensor): the alarm neither sounds nor shows until returned. */
  setOutOfService(id: string, user: string, outOfService: boolean, reason: string): Outcome<AlarmRefusal> {
    const a = this.alarms.get(id);
    if (!a) return refused('unknown-alarm', `no alarm ${id}`);
    if (a.outOfService === outOfService) return refused('already-so', `alarm ${id} is already ${outOfService ? 'out of' : 'in'} service`);
    a.outOfService = outOfService;
    // out of service nothing awaits acknowledgement; back in service a present condition does
    a.acked = outOfService || !a.active;
    this.emit(a, this.clock.now(), {
      user,
      message: both(`${a.name} ${outOfService ? '停用' : '恢复投用'}: ${reason}`, `${a.nameEn ?? a.name} ${outOfService ? 'out of service' : 'back in service'}: ${reason}`),
      detail: { reason },
    });
    return { ok: true };
  }

  private unshelve(a: Alarm): void {
    a.shelf = undefined;
    // Back from the shelf, an alarm still present must be seen again (ISA-18.2 §11.5).
    if (a.active) a.acked = false;
    this.emit(a, this.clock.now(), { message: both(`${a.name} 搁置到期`, `${a.nameEn ?? a.name}: shelving ended`) });
  }

  state(a: Alarm): AlarmState {
    if (a.outOfService) return 'oos';
    if (a.shelf) return 'shelved';
    if (a.active) return a.acked ? 'ack' : 'unack';
    return a.acked ? 'normal' : 'rtn_unack';
  }

  /** Alarms not in their normal state, in the order of the page's list (listOrder). */
  views(): AlarmView[] {
    return [...this.alarms.values()]
      .filter((a) => this.state(a) !== 'normal')
      .map((a) => ({
        id: a.id,
        source: a.source,
        name: a.name,
        priority: a.priority,
        state: this.state(a),
        active: a.active,
        t: a.t,
        value: a.value,
        limit: a.limit,
        limitKind: a.limitKind,
        firstOut: a.firstOut || undefined,
        message: a.message,
        ...(a.messageEn ? { messageEn: a.messageEn } : {}),
        ...(a.nameEn ? { nameEn: a.nameEn } : {}),
        shelvedUntil: a.shelf?.until,
        shelvedBy: a.shelf?.by,
        ackBy: a.ackBy,
        ...(mayShelve(a) ? {} : { shelvable: false as const }),
      }))
      .sort(listOrder);
  }

  /** The beacon follows unacknowledged high and critical alarms that are not shelved. */
  beaconWanted(): boolean {
    for (const a of this.alarms.values()) {
      const s = this.state(a);
      if ((s === 'unack' || s === 'rtn_unack') && (a.priority === 'high' || a.priority === 'critical')) return true;
    }
    return false;
  }

  private markFlood(a: Alarm, t: number): void {
    if (t - this.lastActivation > FLOOD_WINDOW_MS) {
      if (this.lastLeader) this.lastLeader.firstOut = false;
      this.lastLeader = a;
      this.floodCount = 1;
      this.floodStart = t;
      a.firstOut = false;
    } else {
      this.floodCount++;
      if (this.lastLeader && this.lastLeader !== a) this.lastLeader.firstOut = true;
    }
    this.lastActivation = t;
  }

  /** The latest flood (alarms firing within a second of each other): its first alarm and how many. */
  flood(): { leader: string; count: number; t: number } | undefined {
    return this.lastLeader && this.floodCount > 1 ? { leader: this.lastLeader.id, count: this.floodCount, t: this.floodStart } : undefined;
  }

  private emit(a: Alarm, t: number, extra: { value?: Value; limit?: number; limitKind?: string; message: string; user?: string; hazard?: boolean; detail?: Record<string, unknown> }): PlantEvent {
    const { value, limit, limitKind, message, user, hazard, detail } = extra;
    const event = this.report({
      t,
      type: 'alarm',
      source: a.id,
      priority: a.priority,
      state: this.state(a),
      message,
      ...(value !== undefined ? { value } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(limitKind ? { limitKind } : {}),
      ...(user ? { user } : {}),
      ...(hazard ? { hazard } : {}),
      ...(detail ? { detail } : {}),
    });
    for (const l of this.listeners) l();
    return event;
  }
}
