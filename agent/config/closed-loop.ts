/**
 * The site file's closed-loop sections (site.workshop.yaml): hidden-hazard rules, cleaning
 * check-ins, alarm handling feedback, confined spaces, hot-work tickets and the risk digests.
 * Each is optional; a site without them is the site.example.yaml gateway, unchanged.
 */
import { z } from 'zod';
import { id, num, oneOf, PRIORITIES, range, text } from './primitives.js';
import { AnalogCondition, Condition, StateCondition, type ConditionConfig } from './conditions.js';

export const GRADES = ['major', 'general'] as const;
const grade = oneOf(GRADES).describe('major (重大事故隐患) or general (一般隐患)');
const clause = text.describe('Clause of the 2023 judgment standard (工贸企业重大事故隐患判定标准), e.g. 粉尘-6');

export const Disposition = z
  .strictObject({
    priorities: z.array(oneOf(PRIORITIES)).min(1, { error: 'must list at least one priority' }).describe('Alarm priorities that need handling feedback'),
    withinMin: range(1, 7 * 24 * 60).describe('Minutes after the alarm by which a cause and an action must be recorded'),
  })
  .describe('处置反馈: who handled an alarm, the cause and the action');

export const HazardRule = z
  .strictObject({
    id,
    name: text.optional(),
    clause,
    grade,
    when: z.array(Condition).min(1, { error: 'must list at least one condition' }).describe('All hold → a hidden-hazard record is found'),
    rectifyWithinH: range(1, 24 * 90).describe('Default deadline of the record once assigned, in hours'),
  })
  .describe('A hidden hazard the gateway can see: a rule in the interlocks condition language');

export const CleaningArea = z
  .strictObject({
    id,
    name: text.optional(),
    everyH: range(1, 24 * 31).describe('An operator checks the area in as cleaned at least this often'),
    graceMin: range(0, 24 * 60).default(0).describe('Minutes past everyH before a missed cleaning opens a hazard record'),
    clause: clause.default('粉尘-10'),
    grade: grade.default('major'),
  })
  .describe('粉尘清理: a dust-cleaning check-in area');

/** A reading a tester types in from a portable detector, where the space has no fixed one. */
export const PortableGas = z
  .strictObject({
    portable: id.describe('Name of the reading, e.g. o2'),
    name: text.optional(),
    unit: z.string().optional(),
    between: z.tuple([num, num], { error: 'must be [low, high]' }).optional(),
    above: num.optional(),
    below: num.optional(),
  })
  .superRefine((c, ctx) => {
    if ([c.between, c.above, c.below].filter((x) => x !== undefined).length !== 1) ctx.addIssue({ code: 'custom', message: 'must have exactly one of between, above, below' });
  });
export const GasCondition = z.union([AnalogCondition, PortableGas], { error: 'must be {point, between|above|below} or {portable, between|above|below}' });

export const ConfinedSpace = z
  .strictObject({
    id,
    name: text.optional(),
    isolation: z.array(id).default([]).describe('Lockout inputs that must all be applied before entry'),
    ventilation: StateCondition.describe('Holds while the space is ventilated; forMs is the ventilation time before a test'),
    gas: z.array(GasCondition).min(1, { error: 'must list at least one gas reading' }).describe('Every reading in range for a test to pass'),
    testValidMin: range(1, 240).default(30).describe('A gas test older than this when entry begins needs a new test'),
    retestAfterPauseMin: range(1, 240).default(30).describe('A pause longer than this needs a new test'),
    attendant: StateCondition.describe('Holds while the attendant (监护人) is present'),
    hatch: StateCondition.optional().describe('Holds while the space is open to entry; opened without a ticket is a hidden hazard'),
    maxEntrants: range(1, 50).default(2),
    output: id.optional().describe('Output on while entry is permitted (an indicator or a hatch interlock), energise-to-run'),
  })
  .describe('有限空间: ventilate, test, then enter, with an attendant');

export const HotWork = z
  .strictObject({
    id,
    name: text.optional(),
    cleaning: id.describe('The cleaning area that must be checked in as cleaned before the work'),
    cleanedWithinH: range(1, 72).default(2),
    requires: z.array(Condition).default([]).describe('Conditions that hold while the work goes on (dust low, spark protection healthy)'),
    validH: range(1, 24).default(8).describe('The ticket lapses after this many hours'),
    certificate: text.describe('特种作业操作证 the worker must hold, unexpired, e.g. 焊接与热切割作业'),
  })
  .describe('动火: hot work in a dust area');

const hhmm = z.string({ error: 'must be a time like 08:00' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time like 08:00 (00:00..23:59)' });
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const EarlyWarning = z
  .strictObject({
    point: id,
    limit: oneOf(['lowLow', 'low', 'high', 'highHigh'] as const),
    horizonH: num.refine((h) => h > 0 && h <= 168, { error: 'must be more than 0 and at most 168 hours' }),
    windowMin: range(10, 7 * 24 * 60).optional().describe('Minutes of recent samples the trend is fitted to (default: digests.trendWindowMin)'),
  })
  .describe('A trend that reaches a limit within horizonH raises a predictive alarm');

/**
 * Risk-rule thresholds a site may change (docs/DIGESTS.md, "Risk rules"); every key has the
 * default the rule table uses, so a site file without `risk` gets the documented rules.
 */
export const RiskThresholds = z
  .strictObject({
    completenessYellowPct: range(0, 100).default(95).describe('Yellow when any analog point has less good data than this share'),
    tripsOrange: range(1, 1000).default(1).describe('Orange at this many interlock trips in the period'),
    criticalAlarmsOrange: range(1, 1000).default(1).describe('Orange at this many critical alarms'),
    highAlarmsYellow: range(1, 1000).default(1).describe('Yellow at this many high alarms'),
    floodsYellow: range(1, 1000).default(1).describe('Yellow at this many alarm floods'),
    unavailableMinOrange: range(1, 24 * 60 * 31).default(10).describe('Orange when protection was unavailable this many minutes'),
    ackMedianMinYellow: range(1, 24 * 60).default(10).describe('Yellow when the median time to acknowledge exceeds this many minutes'),
  })
  .describe('Thresholds of the risk rules');

const shiftTable = z
  .array(z.strictObject({ name: text, starts: hhmm, ends: hhmm.optional().describe('Optional: must be the next shift\'s start, so the shifts cover the day without gap or overlap') }))
  .min(1, { error: 'must list at least one shift' })
  .describe('Each shift runs from its start to the next one; together they cover the day')
  .superRefine((shifts, ctx) => {
    const seen = new Map<string, number>();
    shifts.forEach((s, i) => {
      const prev = seen.get(s.starts);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'starts'], message: `starts at the same time as shifts[${prev}] (${s.starts}): shifts may not overlap`, input: s.starts });
      seen.set(s.starts, i);
    });
    if (seen.size !== shifts.length) return;
    // sorted by start, each shift ends where the next (cyclically) starts
    const order = shifts.map((s, i) => ({ s, i })).sort((a, b) => a.s.starts.localeCompare(b.s.starts));
    order.forEach(({ s, i }, k) => {
      if (s.ends === undefined) return;
      const next = order[(k + 1) % order.length]!.s;
      if (s.ends === next.starts) return;
      // both measured from the shift's start; a single shift runs round to its own start
      const toEnd = minutesBetween(s.starts, s.ends) || 24 * 60;
      const toNext = minutesBetween(s.starts, next.starts) || 24 * 60;
      ctx.addIssue({
        code: 'custom',
        path: [i, 'ends'],
        message:
          toEnd < toNext
            ? `leaves ${s.ends}–${next.starts} outside every shift: the shifts must cover the day (end at ${next.starts}, where ${next.name} starts)`
            : `overlaps ${next.name}, which starts at ${next.starts}: shifts may not overlap (end at ${next.starts})`,
        input: s.ends,
      });
    });
  });

function minutesBetween(a: string, b: string): number {
  const m = (x: string) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3, 5));
  return (m(b) - m(a) + 24 * 60) % (24 * 60);
}

export const Digests = z
  .strictObject({
    shifts: shiftTable,
    weekStarts: oneOf(WEEKDAYS).default('monday'),
    earlyWarning: z.array(EarlyWarning).default([]),
    trendWindowMin: range(10, 7 * 24 * 60).default(120).describe('Default window of the early-warning trend fit, for entries without windowMin'),
    risk: RiskThresholds.default(() => RiskThresholds.parse({})),
  })
  .describe('班组日预判 / 企业周预判 / 区级月预判: shift, day, week and month digests');

export const WorkTickets = z.strictObject({ hotWork: z.array(HotWork).default([]) });

/** The top-level keys the closed loop adds to the site file. */
export const ClosedLoopSections = {
  hazards: z.array(HazardRule).optional(),
  cleaning: z.array(CleaningArea).optional(),
  confinedSpaces: z.array(ConfinedSpace).optional(),
  workTickets: WorkTickets.optional(),
  digests: Digests.optional(),
};

export type HazardRuleConfig = z.output<typeof HazardRule>;
export type CleaningAreaConfig = z.output<typeof CleaningArea>;
export type ConfinedSpaceConfig = z.output<typeof ConfinedSpace>;
export type HotWorkConfig = z.output<typeof HotWork>;
export type DigestsConfig = z.output<typeof Digests>;
export type EarlyWarningConfig = z.output<typeof EarlyWarning>;
export type RiskThresholdsConfig = z.output<typeof RiskThresholds>;

type Path = (string | number)[];
type Issue = (path: Path, message: string, input?: unknown) => void;

/** What the rest of the site file declares, for the closed loop's references to check against. */
export interface Declared {
  inputs: Map<string, string>; // id → kind
  points: Map<string, { limits?: Partial<Record<'lowLow' | 'low' | 'high' | 'highHigh', number>> | undefined }>;
  outputs: Set<string>;
  /** outputs something already drives: permits, the beacon */
  drivenOutputs: Set<string>;
  checkCondition: (c: ConditionConfig, path: Path) => void;
  checkConditions: (list: ConditionConfig[] | undefined, path: Path) => void;
}

interface ClosedLoopConfig {
  hazards?: HazardRuleConfig[] | undefined;
  cleaning?: CleaningAreaConfig[] | undefined;
  confinedSpaces?: ConfinedSpaceConfig[] | undefined;
  workTickets?: z.output<typeof WorkTickets> | undefined;
  digests?: DigestsConfig | undefined;
}

export function checkClosedLoopReferences(cfg: ClosedLoopConfig, d: Declared, issue: Issue): void {
  // a hazard record's `rule` is one of these ids: they share one namespace
  const ruleIds = new Map<string, string>();
  const claim = (rid: string, where: string, path: Path) => {
    const prev = ruleIds.get(rid);
    if (prev) issue(path, `duplicate id (${rid} is already ${prev})`, rid);
    else ruleIds.set(rid, where);
  };
  cfg.hazards?.forEach((h, i) => {
    claim(h.id, `hazards[${i}]`, ['hazards', i, 'id']);
    d.checkConditions(h.when, ['hazards', i, 'when']);
  });
  const areas = new Set<string>();
  cfg.cleaning?.forEach((c, i) => {
    claim(c.id, `cleaning[${i}]`, ['cleaning', i, 'id']);
    areas.add(c.id);
  });
  cfg.confinedSpaces?.forEach((s, i) => {
    const at = ['confinedSpaces', i];
    claim(s.id, `confinedSpaces[${i}]`, [...at, 'id']);
    s.isolation.forEach((lock, j) => {
      const kind = d.inputs.get(lock);
      if (kind === undefined) issue([...at, 'isolation', j], 'must name a gpio input (a lockout)', lock);
      else if (kind !== 'lockout') issue([...at, 'isolation', j], `must name a lockout input (${lock} is a ${kind})`, lock);
    });
    d.checkCondition(s.ventilation, [...at, 'ventilation']);
    d.checkCondition(s.attendant, [...at, 'attendant']);
    if (s.hatch) d.checkCondition(s.hatch, [...at, 'hatch']);
    s.gas.forEach((g, j) => {
      if ('point' in g) d.checkCondition(g, [...at, 'gas', j]);
    });
    if (s.output !== undefined) {
      if (!d.outputs.has(s.output)) issue([...at, 'output'], 'must name a gpio output', s.output);
      else if (d.drivenOutputs.has(s.output)) issue([...at, 'output'], 'is already driven (a permit or the beacon)', s.output);
      else d.drivenOutputs.add(s.output);
    }
  });
  cfg.workTickets?.hotWork.forEach((w, i) => {
    const at = ['workTickets', 'hotWork', i];
    claim(w.id, `workTickets.hotWork[${i}]`, [...at, 'id']);
    if (!areas.has(w.cleaning)) issue([...at, 'cleaning'], `must name a cleaning area (${[...areas].join(', ') || 'none declared'})`, w.cleaning);
    d.checkConditions(w.requires, [...at, 'requires']);
  });
  cfg.digests?.earlyWarning.forEach((e, i) => {
    const at = ['digests', 'earlyWarning', i];
    const point = d.points.get(e.point);
    if (!point) issue([...at, 'point'], 'must name a point of a device', e.point);
    else if (point.limits?.[e.limit] === undefined) issue([...at, 'limit'], `must be a limit that ${e.point} has (it has ${Object.keys(point.limits ?? {}).filter((k) => ['lowLow', 'low', 'high', 'highHigh'].includes(k)).join(', ') || 'none'})`, e.limit);
  });
}
