/**
 * The site file's one schema. It gives the TypeScript types (`SiteConfig`), the validator
 * (`validateSite`, with every problem listed by path), and the JSON Schema for editor
 * completion (`firebreak schema`, kept in schema/site.schema.json).
 */
import { z } from 'zod';
import { parseSize } from './size.js';
import { id, ms, num, oneOf, PRIORITIES, range, text } from './primitives.js';

export { PRIORITIES } from './primitives.js';
import { Condition, type ConditionConfig } from './conditions.js';
import { ClosedLoopSections, Disposition, checkClosedLoopReferences } from './closed-loop.js';

export type { ConditionConfig } from './conditions.js';
import { Hebei } from '../uplink/hebei/config.js';

export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export const Bus = z
  .strictObject({
    id: id.describe('Bus id, referenced by devices[].bus'),
    port: text.describe('Serial device, e.g. /dev/serial/by-id/usb-FTDI_..., or sim:NAME for the built-in simulator'),
    baudRate: z
      .number({ error: `must be one of ${BAUD_RATES.join(', ')}` })
      .refine((b) => (BAUD_RATES as readonly number[]).includes(b), { error: `must be one of ${BAUD_RATES.join(', ')}` })
      .default(9600),
    parity: oneOf(['none', 'even', 'odd'] as const).default('none'),
    dataBits: z.union([z.literal(7), z.literal(8)], { error: 'must be 7 or 8' }).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }).default(1),
    timeoutMs: ms(20, 10000).default(200).describe('Reply timeout per request'),
    retries: range(0, 5).default(1).describe('Retries of a request that timed out or failed'),
    reopenMaxMs: ms(500, 600_000)
      .optional()
      .describe(
        'Longest wait between attempts to reopen a port that exists but will not open (doubling from 0.5 s; default 30 s). A port whose device path vanished is reopened the moment it returns',
      ),
  })
  .describe('An RS-485 Modbus RTU bus: one master, one transaction at a time');

export const REGISTER_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'bool'] as const;

export const Register = z
  .strictObject({
    table: oneOf(['holding', 'input', 'coil', 'discrete'] as const),
    address: range(0, 65535),
    type: oneOf(REGISTER_TYPES).default('uint16'),
    wordOrder: oneOf(['big', 'little'] as const).default('big').describe('Word order of 32-bit values'),
    bit: range(0, 15).optional().describe('A single bit inside a 16-bit register'),
  })
  .superRefine((r, ctx) => {
    const bitTable = r.table === 'coil' || r.table === 'discrete';
    if (bitTable && r.type !== 'bool') ctx.addIssue({ code: 'custom', path: ['type'], message: `must be bool for table ${r.table}`, input: r.type });
    if (!bitTable && r.type === 'bool' && r.bit === undefined)
      ctx.addIssue({ code: 'custom', path: ['bit'], message: 'required for type bool on a register table (which bit, 0..15)' });
  });

export const Limits = z
  .strictObject({
    lowLow: num.optional(),
    low: num.optional(),
    high: num.optional(),
    highHigh: num.optional(),
    delayMs: ms(0, 3_600_000).default(0).describe('How long a limit must be crossed before the alarm'),
    hysteresis: z.number({ error: 'must be a number >= 0' }).min(0, { error: 'must be >= 0' }).default(0),
  })
  .superRefine((l, ctx) => {
    const order = (['lowLow', 'low', 'high', 'highHigh'] as const).filter((k) => l[k] !== undefined);
    for (let i = 1; i < order.length; i++) {
      const a = order[i - 1]!;
      const b = order[i]!;
      if (l[a]! >= l[b]!) ctx.addIssue({ code: 'custom', path: [b], message: `must be above ${a} (${l[a]})`, input: l[b] });
    }
  });

export const POINT_KINDS = [
  'differential_pressure',
  'temperature',
  'dust_concentration',
  'pressure',
  'air_velocity',
  'level',
  'flow',
  'current',
  'gas_o2',
  'gas_combustible',
  'gas_h2s',
  'gas_co',
  'hydrogen',
  'analog',
  'status',
] as const;

/**
 * A 4–20 mA loop behind the register (an analog input module). raw × scale + offset is then the
 * loop current in mA; NAMUR NE43 makes a current below faultBelowMa or above faultAboveMa a
 * sensor fault (quality bad), and 4..20 mA maps linearly onto rangeLow..rangeHigh.
 */
export const Signal = z
  .strictObject({
    type: z.literal('ma4_20', { error: 'must be ma4_20' }),
    rangeLow: num.describe('Engineering value at 4 mA'),
    rangeHigh: num.describe('Engineering value at 20 mA'),
    faultBelowMa: num.default(3.6).describe('NAMUR NE43: below this the sensor or its wiring has failed'),
    faultAboveMa: num.default(21).describe('NAMUR NE43: above this the sensor or its wiring has failed'),
  })
  .superRefine((sg, ctx) => {
    if (sg.rangeLow === sg.rangeHigh) ctx.addIssue({ code: 'custom', path: ['rangeHigh'], message: 'must differ from rangeLow', input: sg.rangeHigh });
    if (sg.faultBelowMa >= sg.faultAboveMa) ctx.addIssue({ code: 'custom', path: ['faultAboveMa'], message: 'must be above faultBelowMa', input: sg.faultAboveMa });
  });

export const Point = z.strictObject({
  id,
  name: text.optional(),
  kind: oneOf(POINT_KINDS),
  unit: z.string().optional(),
  register: Register,
  scale: num.default(1),
  offset: num.default(0),
  deadband: z.number({ error: 'must be a number >= 0' }).min(0, { error: 'must be >= 0' }).default(0),
  heartbeatS: range(0, 3600)
    .default(60)
    .describe('Report an unchanged value at least this often, in s (sent again at the last poll before it runs out); 0: report every poll'),
  limits: Limits.optional(),
  signal: Signal.optional().describe('A 4–20 mA loop: scale and offset then give mA, this maps mA to engineering units'),
});

export const Device = z.strictObject({
  id,
  name: text.optional(),
  bus: id,
  unitId: range(1, 247),
  pollMs: ms(100, 3_600_000).default(1000),
  points: z.array(Point).min(1, { error: 'must list at least one point' }),
});

export const INPUT_KINDS = ['spark', 'fault', 'run_feedback', 'lockout', 'contact', 'vent_burst', 'valve', 'suppression_ready'] as const;

export const GpioInput = z.strictObject({
  id,
  name: text.optional(),
  kind: oneOf(INPUT_KINDS),
  line: range(0, 511).describe('BCM line number'),
  activeLow: z.boolean({ error: 'must be true or false' }).default(false),
  debounceMs: ms(0, 10000).default(20),
  machine: id.optional().describe('For a lockout: the run-feedback input of the machine it locks'),
});

export const GpioOutput = z.strictObject({
  id,
  name: text.optional(),
  line: range(0, 511).describe('BCM line number'),
  activeLow: z.boolean({ error: 'must be true or false' }).default(false),
  safeState: oneOf(['off', 'on'] as const).default('off').describe('Written at start-up and on every shutdown path'),
});

export const Gpio = z.strictObject({
  backend: oneOf(['auto', 'onoff', 'gpiod', 'sim'] as const).default('auto').describe('sim only where asked: a gateway without GPIO is an error'),
  chipBase: range(0, 4096).optional().describe('Override the sysfs GPIO number of BCM line 0'),
  chip: z
    .string({ error: 'must be a chip name like gpiochip0' })
    .regex(/^gpiochip\d+$/, { error: 'must be a chip name like gpiochip0' })
    .optional()
    .describe('gpiod backend: the chip carrying the lines, when detection by label is not enough'),
  inputs: z.array(GpioInput).default([]),
  outputs: z.array(GpioOutput).default([]),
});


export const Interlock = z
  .strictObject({
    id,
    name: text.optional(),
    output: id.optional().describe('Permit output, energise-to-run'),
    permitWhen: z.array(Condition).min(1).optional(),
    alarmWhen: z.array(Condition).min(1).optional(),
    latch: z.boolean().default(false),
    priority: oneOf(PRIORITIES).default('high'),
  })
  .superRefine((r, ctx) => {
    if (!r.permitWhen === !r.alarmWhen) ctx.addIssue({ code: 'custom', message: 'must have exactly one of permitWhen, alarmWhen' });
    if (r.permitWhen && !r.output) ctx.addIssue({ code: 'custom', path: ['output'], message: 'required with permitWhen (the permit relay)' });
  });

export const Tls = z.strictObject({ ca: text.optional(), cert: text.optional(), key: text.optional() });

export const Mqtt = z.strictObject({
  url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, { error: 'must be mqtt://host:port or mqtts://host:port' }),
  topicPrefix: z.string().default('firebreak/v1'),
  username: z.string().optional(),
  passwordFile: z.string().optional(),
  tls: Tls.optional(),
  keepaliveS: range(5, 600).default(30),
  window: range(1, 200).default(32).describe('Messages in flight awaiting PUBACK'),
});

const size = z
  .union([z.number(), z.string()], { error: 'must be a size like 512MiB or a number of bytes' })
  .transform((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes === undefined || bytes < 1024 * 1024) {
      ctx.addIssue({ code: 'custom', message: 'must be a size of at least 1MiB, like 512MiB or 1GiB', input: v });
      return z.NEVER;
    }
    return bytes;
  });

export const Buffer = z.strictObject({
  path: text.default('/var/lib/firebreak/buffer.db'),
  maxBytes: size.default(1024 ** 3),
  keepSentHours: range(0, 24 * 365).default(168),
  commitMs: ms(10, 5000).default(250).describe('Telemetry commit interval (SD-card wear)'),
});

export const Site = z.strictObject({
  enterprise: text.describe('Unified social credit code (统一社会信用代码)'),
  gateway: id,
  name: text.optional(),
  timezone: z.string().default('Asia/Shanghai'),
  locale: oneOf(['zh-CN', 'en'] as const).default('zh-CN'),
});

export const SiteConfigSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1' }),
    site: Site,
    buses: z.array(Bus).default([]),
    devices: z.array(Device).default([]),
    gpio: Gpio.optional(),
    interlocks: z.array(Interlock).default([]),
    alarms: z
      .strictObject({
        beacon: id.optional(),
        loopDelayMs: ms(10, 10_000).default(100).describe('Raise a system alarm when the event loop stalls longer than this (sampled at half this interval: a stall of 1.5 times it always raises the alarm)'),
        disposition: Disposition.optional(),
      })
      .optional(),
    uplink: z.strictObject({ mqtt: Mqtt.optional(), hebei: Hebei.optional() }).optional(),
    buffer: Buffer.default({ path: '/var/lib/firebreak/buffer.db', maxBytes: 1024 ** 3, keepSentHours: 168, commitMs: 250 }),
    feed: z
      .strictObject({
        socket: text.default('/run/firebreak/feed.sock').describe('Unix socket of the read-only local feed (newline-delimited JSON) for Node-RED'),
        mode: z.string().regex(/^0?[0-7]{3}$/, { error: 'must be an octal mode like 0660' }).default('0660').describe('Socket file mode; its group reads the feed'),
      })
      .optional()
      .describe('Samples, alarms and events for local consumers (Node-RED); accepts no commands'),
    hmi: z
      .strictObject({
        listen: z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, e.g. 0.0.0.0:8080' }).default('0.0.0.0:8080'),
        usersFile: text.default('/etc/firebreak/users.json').describe('Operator-page users, written by `firebreak user add`'),
      })
      .optional(),
    ...ClosedLoopSections,
  })
  .superRefine(checkReferences);

export type SiteConfig = z.output<typeof SiteConfigSchema>;
export type BusConfig = z.output<typeof Bus>;
export type DeviceConfig = z.output<typeof Device>;
export type PointConfig = z.output<typeof Point>;
export type RegisterConfig = z.output<typeof Register>;
export type GpioInputConfig = z.output<typeof GpioInput>;
export type GpioOutputConfig = z.output<typeof GpioOutput>;
export type InterlockConfig = z.output<typeof Interlock>;
export type MqttConfig = z.output<typeof Mqtt>;
export type SignalConfig = z.output<typeof Signal>;
export type {
  HazardRuleConfig,
  CleaningAreaConfig,
  ConfinedSpaceConfig,
  HotWorkConfig,
  DigestsConfig,
  EarlyWarningConfig,
  RiskThresholdsConfig,
} from './closed-loop.js';

type Ctx = z.core.$RefinementCtx<z.output<z.ZodObject>>;

/** Cross-references: every name used must be declared once, with the right kind. */
function checkReferences(cfg: Record<string, unknown> & Partial<SiteConfig>, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string, input?: unknown) => ctx.addIssue({ code: 'custom', path, message, input });
  const busIds = new Set((cfg.buses ?? []).map((b) => b.id));
  const points = new Set<string>();
  const seen = (pid: string, path: (string | number)[]) => {
    if (points.has(pid)) issue(path, `duplicate id (${pid} is declared twice)`, pid);
    points.add(pid);
  };
  (cfg.devices ?? []).forEach((d, i) => {
    if (!busIds.has(d.bus)) issue(['devices', i, 'bus'], `must name a bus in buses[] (${[...busIds].join(', ') || 'none declared'})`, d.bus);
    d.points.forEach((p, j) => seen(p.id, ['devices', i, 'points', j, 'id']));
  });
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const lines = new Map<number, string>();
  const useLine = (line: number, what: string, path: (string | number)[]) => {
    const prev = lines.get(line);
    if (prev) issue(path, `line ${line} is already used by ${prev}`, line);
    lines.set(line, what);
  };
  cfg.gpio?.inputs.forEach((g, i) => {
    seen(g.id, ['gpio', 'inputs', i, 'id']);
    inputs.add(g.id);
    useLine(g.line, g.id, ['gpio', 'inputs', i, 'line']);
  });
  cfg.gpio?.outputs.forEach((g, i) => {
    seen(g.id, ['gpio', 'outputs', i, 'id']);
    outputs.add(g.id);
    useLine(g.line, g.id, ['gpio', 'outputs', i, 'line']);
  });
  cfg.gpio?.inputs.forEach((g, i) => {
    if (g.machine !== undefined && !inputs.has(g.machine)) issue(['gpio', 'inputs', i, 'machine'], 'must name a gpio input (the run feedback)', g.machine);
  });
  const analog = new Map((cfg.devices ?? []).flatMap((d) => d.points.map((p) => [p.id, p] as const)));
  const inputKinds = new Map((cfg.gpio?.inputs ?? []).map((g) => [g.id, g.kind] as const));
  const checkCondition = (c: ConditionConfig, path: (string | number)[]) => {
    if ('input' in c && !inputs.has(c.input)) issue([...path, 'input'], 'must name a gpio input', c.input);
    if ('events' in c && !inputs.has(c.events)) issue([...path, 'events'], 'must name a gpio input', c.events);
    if ('point' in c && !analog.has(c.point)) issue([...path, 'point'], 'must name a point of a device', c.point);
  };
  const checkConditions = (list: ConditionConfig[] | undefined, path: (string | number)[]) => list?.forEach((c, j) => checkCondition(c, [...path, j]));
  const permitOutputs = new Set<string>();
  (cfg.interlocks ?? []).forEach((r, i) => {
    if (r.output !== undefined) {
      if (!outputs.has(r.output)) issue(['interlocks', i, 'output'], 'must name a gpio output', r.output);
      if (permitOutputs.has(r.output)) issue(['interlocks', i, 'output'], 'is already driven by another interlock', r.output);
      permitOutputs.add(r.output);
    }
    checkConditions(r.permitWhen, ['interlocks', i, 'permitWhen']);
    checkConditions(r.alarmWhen, ['interlocks', i, 'alarmWhen']);
  });
  // the Hebei platform reports points of devices and gpio inputs by their tnm
  for (const pid of Object.keys(cfg.uplink?.hebei?.points ?? {})) {
    if (!analog.has(pid) && !inputs.has(pid)) issue(['uplink', 'hebei', 'points', pid], `must be a point of a device or a gpio input (no ${pid} is declared)`, pid);
  }
  const beacon = cfg.alarms?.beacon;
  if (beacon !== undefined) {
    if (!outputs.has(beacon)) issue(['alarms', 'beacon'], 'must name a gpio output', beacon);
    if (permitOutputs.has(beacon)) issue(['alarms', 'beacon'], 'is already a permit output', beacon);
  }
  const driven = new Set([...permitOutputs, ...(beacon === undefined ? [] : [beacon])]);
  checkClosedLoopReferences(cfg, { inputs: inputKinds, points: analog, outputs, drivenOutputs: driven, checkCondition, checkConditions }, issue);
}
