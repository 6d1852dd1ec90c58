/** The shapes that flow through the agent: samples from the field, events about the plant. */

/** Quality of a value, as in the uplink contract (docs/UPLINK.md, "data", `q`). */
export type Quality = 'good' | 'uncertain' | 'bad' | 'comm' | 'stale';

/** Time quality: present only while the system clock is not known to be synchronised. */
export type TimeQuality = 'unsynced';

export type Value = number | boolean | null;

/** One reading of one point (an analog register or a contact), as the platform receives it. */
export interface Sample {
  /** point id from the site file, e.g. `dc1.dp` or `spark1` */
  p: string;
  /** ms since the Unix epoch, UTC */
  t: number;
  v: Value;
  q: Quality;
  tq?: TimeQuality;
}

export type EventType = 'alarm' | 'interlock' | 'lockout' | 'operator' | 'system' | 'gap' | RecordEventType;

/** Closed-loop records (docs/UPLINK.md, "Closed-loop records"): one event per change of state. */
export type RecordEventType = 'hazard' | 'disposition' | 'cleaning' | 'ticket' | 'summary';

/**
 * Something that happened on site: an alarm transition, a permit trip or reset, a lockout,
 * an operator action, a system fault, or a data-loss record. `id` is unique per gateway.
 */
export interface PlantEvent {
  id: string;
  t: number;
  type: EventType;
  tq?: TimeQuality;
  /** what it is about: a point, an interlock, an output, a bus */
  source?: string;
  /** low | medium | high | critical */
  priority?: Priority;
  /** machine-readable state after the transition, e.g. `unack`, `tripped`, `applied` */
  state?: string;
  /** human text, Chinese first */
  message?: string;
  /** user name for operator actions */
  user?: string;
  /** marks a 重大事故隐患 (hidden hazard) for the platform */
  hazard?: boolean;
  /** value and limit that triggered an alarm */
  value?: number | boolean | null;
  limit?: number;
  /** alarm kind for limit alarms: lowLow, low, high, highHigh */
  limitKind?: string;
  /** extra detail, e.g. the first-out condition of a trip or the range of a gap */
  detail?: Record<string, unknown>;
  // closed-loop record fields, at the top level as the uplink contract puts them
  /** who made a record's change: a logged-in user, or `gateway` for its own rules */
  by?: string;
  note?: string;
  photos?: string[];
  /** hazard: record id, the rule that found it, its clause and grade, its deadline, the record it follows */
  record?: string;
  rule?: string;
  clause?: string;
  grade?: 'major' | 'general';
  due?: number;
  previous?: string;
  /** disposition: the alarm occurrence (its event id), cause and action */
  alarm?: string;
  cause?: string;
  action?: string;
  /** cleaning: the area */
  area?: string;
  /** ticket: the work ticket's id (ZY-20261202-001) and kind (docs/TICKETS.md) */
  ticket?: string;
  kind?: 'confined_space' | 'hot_work';
  /** summary: the digest's period, its bounds and its risk level (docs/DIGESTS.md) */
  period?: 'shift' | 'day' | 'week' | 'month';
  from?: number;
  to?: number;
  risk?: 'red' | 'orange' | 'yellow' | 'blue';
}

export type Priority = 'low' | 'medium' | 'high' | 'critical';

/** Anything that wants every sample (interlocks, alarms, buffer, operator page). */
export type SampleSink = (sample: Sample) => void;
