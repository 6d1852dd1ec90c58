/** The permits and lockouts as the interlock engine shows them. */

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
  /** the permit relay could not be written and is being retried: its real state is unknown */
  outputFault?: { reason: string; since: number };
}

export interface LockoutView {
  id: string;
  name?: string;
  applied: boolean;
  since?: number;
  energySeen: boolean;
}

/** Why a reset was refused. */
export type ResetRefusal = 'unknown-permit' | 'not-latched' | 'conditions-fail';
