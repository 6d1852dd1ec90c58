/**
 * What the operator page sees of the plant, and the only actions it may take.
 * agent/page-model.ts composes it from the plant, the buffer and the destinations; the HMI
 * server only reads snapshots, listens for changes and calls these actions.
 */
import type { DeviceStats } from '../acquisition/device-stats.js';
import type { AlarmRefusal, AlarmView } from '../alarms/alarm-view.js';
import type { Outcome } from '../core/outcome.js';
import type { LockoutView, PermitView, ResetRefusal } from '../interlocks/permit-view.js';
import type { PointView } from '../plant/point-view.js';
import type { OutputView } from '../outputs/outputs.js';
import type { Grade, HazardAction, HazardRecord } from '../records/hazard-machine.js';
import type { ActResult } from '../records/hazard-records.js';
import type { PhotoResult } from '../records/hazard-photos.js';
import type { HazardChange } from '../records/hazard-store.js';
import type { AreaView, CheckIn, CheckInResult } from '../records/cleaning-records.js';
import type { Occurrence } from '../records/disposition-machine.js';
import type { Preset } from '../records/disposition-presets.js';
import type { Feedback, RecordResult } from '../records/disposition-records.js';
import type { PlantEvent } from '../core/types.js';
import type { Digest } from '../digests/digest.js';
import type { PeriodKind } from '../digests/periods.js';
import type { GasReading } from '../tickets/entry-machine.js';
import type { Certificate, LedgerResult, PersonView } from '../tickets/people-ledger.js';
import type { Ticket } from '../tickets/ticket.js';
import type { TicketLoop } from '../tickets/ticket-loop.js';

export type { AlarmState, AlarmView } from '../alarms/alarm-view.js';
export type { ConditionView, LockoutView, PermitView } from '../interlocks/permit-view.js';
export type { PointView } from '../plant/point-view.js';

export interface UplinkView {
  name: string;
  connected: boolean;
  pending: number;
  oldestPendingMs: number | null;
}

export type DeviceHealthView = DeviceStats;

export interface PlantSnapshot {
  site: { name?: string; gateway: string; enterprise: string };
  t: number;
  points: PointView[];
  contacts: PointView[];
  outputs: OutputView[];
  permits: PermitView[];
  alarms: AlarmView[];
  lockouts: LockoutView[];
  uplinks: UplinkView[];
  devices: DeviceHealthView[];
  /** the latest alarm flood: its first-out alarm and how many fired with it */
  flood?: { leader: string; count: number; t: number };
  /** the hidden-hazard board, where the agent keeps records */
  hazards?: HazardBoard;
  /** alarm occurrences waiting for handling feedback, where the site asks for it */
  dispositions?: DispositionBoard;
  /** the dust-cleaning areas, where the site has them */
  cleaning?: CleaningBoard;
  /** present where the agent keeps risk digests: the page then shows its 报表 tab (/api/briefing) */
  digests?: true;
  /** the work tickets (作业票), where the site has confined spaces or hot work */
  tickets?: TicketBoard;
}

/** A ticket as the page shows it: the checks before entry, and the next step with why it is not yet done. */
export interface TicketView {
  ticket: Ticket;
  checks: { key: string; ok: boolean; zh: string; en: string }[];
  next?: { zh: string; en: string };
}

export interface TicketBoard {
  /** live first (newest first), then those closed within the day */
  tickets: TicketView[];
  live: number;
  evacuate: number;
  places: ReturnType<TicketLoop['places']>;
}

/** Work tickets and the special-operations ledger on the page. */
export interface TicketDesk {
  openEntry: TicketLoop['openEntry'];
  openHotWork: TicketLoop['openHotWork'];
  act: TicketLoop['act'];
  ticket(id: string): Promise<Ticket | undefined>;
  history(id: string): Promise<PlantEvent[] | undefined>;
  /** the filled-in ticket to print, or undefined for an unknown one */
  print(id: string): Promise<string | undefined>;
  readings(space: string): GasReading[];
  people: {
    views(): Promise<PersonView[]>;
    add(name: string, certificates: Partial<Certificate>[], by: string): Promise<LedgerResult>;
    remove(name: string): Promise<LedgerResult>;
    csv(): Promise<string>;
  };
}

export interface DispositionBoard {
  /** oldest first: pending, and overdue until recorded */
  pending: Occurrence[];
  overdue: number;
  withinMin: number;
}

export interface CleaningBoard {
  areas: AreaView[];
  due: number;
  overdue: number;
}

/** Alarm handling feedback on the page: record one occurrence's cause and action, read what was recorded. */
export interface DispositionDesk {
  record(occurrenceId: string, f: Feedback): Promise<RecordResult>;
  history(limit: number): Promise<Occurrence[]>;
  causes: readonly Preset[];
  actions: readonly Preset[];
}

/** A digest as the briefing shows it: its period, risk level and the reasons, without the figures. */
export type DigestHead = Pick<Digest, 'id' | 'period' | 'name' | 'from' | 'to' | 'risk' | 'reasons'>;

/** Before a shift (班前): the last shift's digest, the running one so far, the early warnings now. */
export interface BriefingView {
  lastShift: DigestHead;
  current: DigestHead;
  forecasts: { point: string; limit: string; limitValue: number; hours?: number }[];
  /** the hidden hazards open now, where the agent keeps them */
  hazards?: { openMajor: number; open: number; overdue: number };
  /** the work tickets not yet closed, where the agent keeps them */
  tickets?: { id: string; kind: string; place: string; state: string; inside: number }[];
}

/** The risk digests on the page: the briefing, its signature, the printable reports. */
export interface DigestDesk {
  briefing(): Promise<BriefingView>;
  /** the team leader's signature of a digest's briefing: an operator event */
  sign(digestId: string, user: string): PlantEvent;
  /** the printable report (HTML) of the period of this kind that holds `at` */
  report(kind: PeriodKind, at: number): Promise<string>;
  /** the early-warning line of a point, where one reaches its limit: value(t) = intercept + slope·(t − origin) / 1 h */
  forecast(pointId: string): { origin: number; intercept: number; slope: number; hours: number; limitValue: number } | undefined;
}

/** Cleaning check-ins on the page. */
export interface CleaningDesk {
  checkIn(areaId: string, c: CheckIn): Promise<CheckInResult>;
  /** an area's check-ins and overdues, newest first; undefined for an unknown area */
  history(areaId: string): Promise<PlantEvent[] | undefined>;
}

/** A record as the page shows it: whether it is past its deadline and whether the gateway still sees its condition. */
export interface HazardView extends HazardRecord {
  overdue: boolean;
  conditionPresent: boolean;
  /** the default deadline of an assignment, hours from then (the rule's rectifyWithinH) */
  rectifyWithinH: number;
}

export interface HazardBoard {
  /** open major records (动态清零: green only at zero) and when the oldest of them was found */
  openMajor: number;
  oldestOpenMajorSince?: number;
  open: number;
  overdue: number;
  awaitingVerification: number;
  closedToday: number;
  /** every open record and those closed today, newest first */
  records: HazardView[];
}

/** What a person enters on the page for what the gateway cannot see. */
export interface ManualFinding {
  clause: string;
  grade: Grade;
  title: string;
  description?: string;
  rectifyWithinH?: number;
  photos?: string[];
}

/** The records' side of the page: read the board and a record's history, enter a finding, act on a record. */
export interface HazardDesk {
  history(id: string): Promise<HazardChange[] | undefined>;
  find(f: ManualFinding, user: string): Promise<HazardView>;
  act(id: string, action: HazardAction): Promise<ActResult>;
  /** the deadline an assignment gets when the supervisor names none */
  rectifyWithinH(id: string): number | undefined;
  /** where photos are kept, when the agent keeps them */
  photos?: PhotoShelf;
}

export interface PhotoShelf {
  save(bytes: Buffer): Promise<PhotoResult>;
  has(name: string): Promise<boolean>;
  read(name: string): Promise<{ bytes: Buffer; type: string } | undefined>;
}

/** What an operator's action answers: the rules' own typed refusals (agent/hmi/actions.ts maps them to HTTP). */
export type ActionResult = Outcome<AlarmRefusal | ResetRefusal>;

export interface PlantModel {
  snapshot(): PlantSnapshot;
  /** called whenever something the page shows may have changed; returns an unsubscribe */
  onChange(listener: () => void): () => void;
  acknowledge(alarmId: string, user: string): Promise<ActionResult>;
  reset(interlockId: string, user: string): Promise<ActionResult>;
  shelve(alarmId: string, user: string, reason: string, untilMs: number): Promise<ActionResult>;
  /** samples of one point from the local buffer, oldest first */
  trend(pointId: string, fromMs: number, toMs: number): Promise<{ t: number; v: number | null }[]>;
  /** the hidden-hazard records, where the agent keeps them */
  hazards?: HazardDesk;
  dispositions?: DispositionDesk;
  cleaning?: CleaningDesk;
  digests?: DigestDesk;
  tickets?: TicketDesk;
}
