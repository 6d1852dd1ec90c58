/** One alarm as the alarm list shows it: to the operator page, the feed and the tests. */
import type { Priority, Value } from '../core/types.js';

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

/** Why the alarm list refused an acknowledgement, a shelving or a change of service. */
export type AlarmRefusal = 'unknown-alarm' | 'not-awaiting-ack' | 'not-shelvable' | 'shelve-ends-past' | 'already-so';
