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
}
