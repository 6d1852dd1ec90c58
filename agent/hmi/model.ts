/**
 * What the operator page sees of the plant, and the only actions it may take.
 * The agent's app builds a PlantModel from acquisition, interlocks, alarms, buffer and uplink;
 * the HMI server only reads snapshots, listens for changes and calls these actions.
 */
import type { Priority, Quality, Value } from '../core/types.js';

export interface PointView {
  id: string;
  name?: string;
  kind: string;
  unit?: string;
  v: Value;
  q: Quality;
  /** ms since epoch of the value */
  t: number;
  limits?: { lowLow?: number; low?: number; high?: number; highHigh?: number };
}

export interface ConditionView {
  /** Chinese, e.g. `除尘风机运行 = 是 持续 30 s` */
  text: string;
  /** English, e.g. `除尘风机运行 is on for 30 s` (site names stay as the installer wrote them) */
  textEn?: string;
  /** stable key, e.g. `permitWhen[0]` */
  key: string;
  holds: boolean;
  /** since when it has not held (ms since epoch), for an off permit */
  since?: number;
}

export interface PermitView {
  /** interlock id */
  id: string;
  name?: string;
  output: string;
  on: boolean;
  latched: boolean;
  /** the permit may be reset now (latched, and every condition holds) */
  resettable: boolean;
  conditions: ConditionView[];
  firstOut?: { key: string; text: string; textEn?: string; t: number; simultaneous: string[] };
}

export type AlarmState = 'unack' | 'ack' | 'rtn_unack' | 'normal' | 'shelved' | 'oos';

export interface AlarmView {
  id: string;
  /** point, input or interlock it is about */
  source: string;
  name: string;
  priority: Priority;
  state: AlarmState;
  /** the condition is present now */
  active: boolean;
  /** when it last became active */
  t: number;
  value?: Value;
  limit?: number;
  limitKind?: string;
  /** first alarm of a flood (several within a second) */
  firstOut?: boolean;
  /** Chinese first; `messageEn` / `nameEn` carry the English where the agent has it */
  message: string;
  messageEn?: string;
  nameEn?: string;
  shelvedUntil?: number;
  shelvedBy?: string;
  ackBy?: string;
  /** false: the alarm may not be shelved (interlock trips, critical alarms; docs/ALARMS.md) */
  shelvable?: false;
}

export interface LockoutView {
  id: string;
  name?: string;
  applied: boolean;
  since?: number;
  energySeen: boolean;
}

export interface UplinkView {
  name: string;
  connected: boolean;
  pending: number;
  oldestPendingMs: number | null;
}

export interface DeviceHealthView {
  id: string;
  bus: string;
  unitId: number;
  ok: boolean;
  transactions: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  lastAnswer: number | null;
}

export interface PlantSnapshot {
  site: { name?: string; gateway: string; enterprise: string };
  t: number;
  points: PointView[];
  contacts: PointView[];
  outputs: { id: string; name?: string; on: boolean }[];
  permits: PermitView[];
  alarms: AlarmView[];
  lockouts: LockoutView[];
  uplinks: UplinkView[];
  devices: DeviceHealthView[];
  /** the latest alarm flood: its first-out alarm and how many fired with it */
  flood?: { leader: string; count: number; t: number };
}

export type ActionResult = { ok: true } | { ok: false; status: 400 | 403 | 404 | 409; error: string };

export interface PlantModel {
  snapshot(): PlantSnapshot;
  /** called whenever something the page shows may have changed; returns an unsubscribe */
  onChange(listener: () => void): () => void;
  acknowledge(alarmId: string, user: string): Promise<ActionResult>;
  reset(interlockId: string, user: string): Promise<ActionResult>;
  shelve(alarmId: string, user: string, reason: string, untilMs: number): Promise<ActionResult>;
  /** samples of one point from the local buffer, oldest first */
  trend(pointId: string, fromMs: number, toMs: number): Promise<{ t: number; v: number | null }[]>;
}
