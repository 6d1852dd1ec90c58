/**
 * Energy seen on a machine while its lockout is applied (挂牌上锁 broken): the interlock engine
 * raises the critical alarm `<lockout>.energy` with `hazard: true`, and DOMAIN.md asks for a
 * hidden-hazard record too. Each raise opens a record (or gives the open one); it cannot be
 * rectified while the machine still runs under the applied lockout.
 */
import type { PlantEvent } from '../core/types.js';
import type { Plant } from '../plant/plant.js';
import type { Finding } from './hazard-records.js';

const ENERGY = '.energy';
/**
 * Not a numbered item of the 2023 judgment standard: energy isolation (能量隔离) is the site's
 * own lockout rule, so the record names it in words the district reads.
 */
export const LOCKOUT_CLAUSE = '能量隔离';
/** a day to find out why the machine ran and to fix the isolation, as for the dust items */
export const LOCKOUT_RECTIFY_WITHIN_H = 24;

/** The finding of a raised energy alarm, or undefined for any other event. */
export function lockoutFinding(e: PlantEvent, plant: Plant): Finding | undefined {
  if (e.type !== 'alarm' || e.hazard !== true || !e.source?.endsWith(ENERGY)) return undefined;
  const view = plant.alarms.views().find((a) => a.id === e.source);
  return {
    rule: e.source,
    clause: LOCKOUT_CLAUSE,
    grade: 'major',
    title: view?.name ?? e.source,
    ...(e.message ? { description: e.message } : {}),
    by: 'gateway',
    rectifyWithinH: LOCKOUT_RECTIFY_WITHIN_H,
  };
}

/**
 * Is this a lockout rule, and does the machine run under its applied lockout now? The alarm's
 * condition says so (the lockout's energySeen stays set for the rest of the lockout).
 */
export function lockoutEnergyPresent(rule: string, plant: Plant): boolean | undefined {
  if (!rule.endsWith(ENERGY)) return undefined;
  const alarm = plant.alarms.views().find((a) => a.id === rule);
  return alarm ? alarm.active : undefined;
}
