/**
 * The hidden-hazard loop of a running agent, built in one place (app.ts calls it): the store in
 * the buffer's database, the records, the site file's rules watching the plant's samples, and
 * the lockout-energy alarm, each finding a record; every change goes to the buffer as a
 * `hazard` event. The plant knows nothing of it: the loop listens to the plant.
 */
import type { CleaningAreaConfig } from '../config/closed-loop.js';
import type { HazardRuleConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import type { Db } from '../buffer/sqlite.js';
import type { Plant } from '../plant/plant.js';
import { CleaningRecords, CLEANING_RECTIFY_WITHIN_H } from './cleaning-records.js';
import { CleaningStore } from './cleaning-store.js';
import { HazardRecords, MANUAL_RULE } from './hazard-records.js';
import { HazardStore, type Serial } from './hazard-store.js';
import { HazardWatch } from './hazard-watch.js';
import { lockoutEnergyPresent, lockoutFinding, LOCKOUT_RECTIFY_WITHIN_H } from './lockout-hazards.js';

/** A person's record, when they give no deadline: a day, as the workshop's dust rules ask. */
export const MANUAL_RECTIFY_WITHIN_H = 24;

export interface HazardLoopOptions {
  plant: Plant;
  rules: readonly HazardRuleConfig[];
  /** the site file's cleaning areas: an overdue one opens a record */
  cleaning?: readonly CleaningAreaConfig[];
  /** the buffer's connection and its queue (Outbox.shared()) */
  db: { db: Db; serial: Serial };
  /** commits the event to the buffer */
  emit: (e: PlantEvent) => Promise<void>;
  clock: Clock;
  log: Logger;
  timeZone?: string;
}

export class HazardLoop {
  private watch: HazardWatch | undefined;
  /** other loops that find records (the work tickets' hatch) and say whether theirs are present */
  private readonly presence: ((rule: string) => boolean | undefined)[] = [];
  /** the plant's listeners cannot be removed: they do nothing once this is set */
  private stopped = false;

  private constructor(
    readonly records: HazardRecords,
    /** the dust-cleaning check-ins, whose missed ones this loop records */
    readonly cleaning: CleaningRecords,
    private readonly store: HazardStore,
    private readonly cleaningStore: CleaningStore,
    private readonly o: HazardLoopOptions,
  ) {}

  static async start(o: HazardLoopOptions): Promise<HazardLoop> {
    const log = o.log.child({ component: 'hazards' });
    const store = await HazardStore.open(o.db.db, o.db.serial);
    // the records ask whether a condition is present only on a person's action, once the loop exists
    const ask = { present: (_rule: string): boolean => false };
    const records = await HazardRecords.open({ store, clock: o.clock, log, emit: o.emit, conditionPresent: (rule) => ask.present(rule), timeZone: o.timeZone });
    const cleaningStore = await CleaningStore.open(o.db.db, o.db.serial);
    const cleaning = await CleaningRecords.open({ areas: o.cleaning ?? [], store: cleaningStore, clock: o.clock, log: o.log.child({ component: 'cleaning' }), emit: o.emit, find: (f) => records.find(f) });
    const loop = new HazardLoop(records, cleaning, store, cleaningStore, { ...o, log });
    ask.present = (rule) => loop.present(rule);
    loop.listen();
    return loop;
  }

  /** Does the gateway still see what this rule watches? False for a person's record. */
  present(rule: string): boolean {
    if (rule === MANUAL_RULE) return false;
    for (const p of this.presence) {
      const here = p(rule);
      if (here !== undefined) return here;
    }
    return lockoutEnergyPresent(rule, this.o.plant) ?? this.cleaning.present(rule) ?? this.watch?.rules.present(rule) ?? false;
  }

  /** Another loop's rules: it answers for its own and undefined for the rest. */
  addPresence(present: (rule: string) => boolean | undefined): void {
    this.presence.push(present);
  }

  /** The default deadline of a record of this rule, in hours from now. */
  rectifyWithinH(rule: string): number {
    if (rule === MANUAL_RULE) return MANUAL_RECTIFY_WITHIN_H;
    if (this.cleaning.has(rule)) return CLEANING_RECTIFY_WITHIN_H;
    return this.o.rules.find((r) => r.id === rule)?.rectifyWithinH ?? LOCKOUT_RECTIFY_WITHIN_H;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.stop();
    await this.cleaning.close();
    await this.cleaningStore.close();
    await this.store.close();
  }

  private listen(): void {
    const { plant, log } = this.o;
    this.watch = new HazardWatch(this.o.rules, plant.points, this.records, this.o.clock, log);
    const watch = this.watch;
    plant.onSample((s) => {
      if (!this.stopped) watch.observe(s);
    });
    plant.onEvent((e) => {
      const finding = this.stopped ? undefined : lockoutFinding(e, plant);
      if (!finding) return;
      this.records.find(finding).then(
        (r) => {
          if (!('already' in r)) log.warn({ record: r.record.id, rule: finding.rule }, 'hidden hazard found: energy under lockout');
        },
        (err: unknown) => log.error({ err, rule: finding.rule }, 'hidden hazard not recorded'),
      );
    });
  }
}
