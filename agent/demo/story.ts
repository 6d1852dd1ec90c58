/**
 * The demo's scripted story, on a loop, so that something happens without touching anything:
 * the collector's differential pressure drifts out of its band and back, a spark burst trips
 * the sander permit, a lockout is applied (and the sander is seen running while locked) and
 * removed. A simulated operator resets the latched permit after each trip. Beneath it, on a
 * loop of its own, the bags blind slowly (the pressure drop creeps up) until pulse cleaning
 * brings it back: the early warning (digests.earlyWarning on dc1.dp) forecasts the high limit.
 */
import type { Clock, Timer } from '../core/clock.js';
import type { ActionResult } from '../hmi/model.js';

/** What the story can touch: the simulators, and the reset an operator would press. */
export interface StoryWorld {
  analog(pointId: string, value: number): void;
  contact(inputId: string, active: boolean): void;
  reset(interlockId: string, user: string): Promise<ActionResult>;
  say(text: string): void;
}

interface Step {
  at: number;
  run: (w: StoryWorld, s: StoryState) => void;
}

interface StoryState {
  dp: number;
  temp: number;
  conc: number;
}

export const STORY_LOOP_MS = 100_000;
const BLINDING_MS = 20 * 60_000;
const CLEANING_MS = 60_000;
/**
 * The slow blinding's own loop: it creeps up for BLINDING_MS, pulse cleaning takes it back over
 * a minute, and it creeps up again at once; a flat stretch before the rise left the fit's
 * window half flat, where the forecast wavered and the warning chattered (raised, cleared, raised).
 */
export const BLINDING_LOOP_MS = BLINDING_MS + CLEANING_MS;
/**
 * The clean bags' pressure drop, and how far it creeps in BLINDING_MS: to 1650 Pa, under the
 * high limit and the permit's band (1800), so the warning forecasts the limit and the cleaning
 * comes first. 50 Pa a minute: the 100 s loop's excursion, seen in one-minute means, adds up to
 * about 230 Pa to some of them; a slower rise left the fit wandering (0.6 h, then 1.7 h) in a
 * real run.
 */
const CLEAN_PA = 650;
const BLINDING_PA = 1000;

/** The blinding's rise, in Pa, at `ms` into its loop. */
export function blindingAt(ms: number): number {
  const phase = ms % BLINDING_LOOP_MS;
  if (phase < BLINDING_MS) return (BLINDING_PA * phase) / BLINDING_MS;
  if (phase < BLINDING_MS + CLEANING_MS) return BLINDING_PA * (1 - (phase - BLINDING_MS) / CLEANING_MS);
  return 0;
}
export const DEMO_OPERATOR = '演示操作员';

const steps: Step[] = [];
const at = (ms: number, run: Step['run']) => steps.push({ at: ms, run });
const ramp = (key: keyof StoryState, from: number, to: number, startMs: number, durMs: number) => {
  for (let t = 0; t <= durMs; t += 1000) at(startMs + t, (_, s) => (s[key] = from + ((to - from) * t) / durMs));
};
const resetPermit = (ms: number) =>
  at(ms, (w) => {
    void w.reset('sander1-permit', DEMO_OPERATOR).then((r) => w.say(r.ok ? '演示操作员复位了砂光机许可 / demo operator reset the permit' : `复位被拒绝 / reset refused: ${r.error}`));
  });
const spark = (ms: number) => {
  at(ms, (w) => w.contact('spark1', true));
  at(ms + 100, (w) => w.contact('spark1', false));
};

at(0, (w, s) => {
  Object.assign(s, { dp: 650, temp: 35, conc: 3.2 });
  w.contact('spark1.fault', false);
  w.contact('loto.sander1', false);
  w.contact('sander1.run', false);
  w.contact('fan1.run', true);
  w.contact('valve1.run', true);
  w.say('除尘风机启动, 5 s 后允许砂光机启动 / collector fan started; the sander permit follows in 5 s');
});
at(10_000, (w) => w.say('压差上升 (滤袋堵塞) / differential pressure rising (bags blinding)'));
ramp('dp', 650, 1950, 10_000, 10_000);
ramp('dp', 1950, 700, 22_000, 8_000);
resetPermit(33_000);
at(38_000, (w) => w.contact('sander1.run', true));
at(40_000, (w) => w.say('火花群: 10 s 内 3 次火花 / spark burst: three sparks within 10 s'));
spark(40_000);
spark(40_600);
spark(41_200);
at(43_000, (w) => w.contact('sander1.run', false));
resetPermit(55_000);
at(60_000, (w) => {
  w.contact('loto.sander1', true);
  w.say('1号砂光机上锁检修 / sander 1 locked out for maintenance');
});
at(65_000, (w) => {
  w.contact('sander1.run', true);
  w.say('上锁期间砂光机运行 (重大隐患) / sander running while locked out (hidden hazard)');
});
at(68_000, (w) => w.contact('sander1.run', false));
at(75_000, (w) => w.contact('loto.sander1', false));
resetPermit(78_000);
ramp('conc', 3.2, 12.5, 80_000, 8_000);
ramp('conc', 12.5, 3.2, 90_000, 8_000);
steps.sort((a, b) => a.at - b.at);

/** A small seeded generator, so the demo's noise is the same on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export class Story {
  private timers: Timer[] = [];
  private readonly state: StoryState = { dp: 650, temp: 35, conc: 3.2 };
  private readonly rand = lcg(20261128);
  private startedAt = 0;

  constructor(
    private readonly world: StoryWorld,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.startedAt = this.clock.monotonic();
    this.blinding();
    this.loop();
    // Field values breathe a little every second, as real ones do.
    this.timers.push(this.clock.setInterval(() => this.writeAnalogs(), 1000));
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t.cancel();
  }

  private loop(): void {
    for (const step of steps) {
      this.timers.push(this.clock.setTimeout(() => step.run(this.world, this.state), step.at));
    }
    this.timers.push(this.clock.setTimeout(() => this.loop(), STORY_LOOP_MS));
    this.writeAnalogs();
  }

  private blinding(): void {
    this.world.say('滤袋缓慢堵塞, 压差每分钟升约 50 Pa; 约 10 分钟后出现趋势预警 / bags slowly blinding: the trend warning follows in about 10 min');
    this.timers.push(
      this.clock.setTimeout(() => this.world.say('脉冲清灰, 压差回落, 趋势预警随后解除 / pulse cleaning: the pressure falls back, the trend warning clears'), BLINDING_MS),
      this.clock.setTimeout(() => this.blinding(), BLINDING_LOOP_MS),
    );
  }

  private writeAnalogs(): void {
    const noise = (span: number) => (this.rand() - 0.5) * span;
    // the blinding raises the floor the loop's excursion starts from; the excursion's peak stays
    const floor = CLEAN_PA + blindingAt(this.clock.monotonic() - this.startedAt);
    this.world.analog('dc1.dp', Math.round(Math.max(this.state.dp, floor) + noise(12)));
    this.world.analog('dc1.hopperTemp', Math.round((this.state.temp + noise(0.6)) * 10) / 10);
    this.world.analog('ds1.conc', Math.round((this.state.conc + noise(0.3)) * 100) / 100);
  }
}
