/**
 * The operator page's model, composed from the plant, the buffer's trends, the destinations'
 * status and the Modbus devices' health. The plant knows nothing of the page; this is where the
 * two meet (app.ts builds it; the page's tests build it the same way).
 */
import type { DeviceStats } from './acquisition/device-stats.js';
import type { Clock } from './core/clock.js';
import type { PlantModel, PlantSnapshot, PointView, UplinkView } from './hmi/model.js';
import type { Plant } from './plant/plant.js';

export interface PageSources {
  plant: Plant;
  clock: Clock;
  uplinks?: () => UplinkView[];
  devices?: () => DeviceStats[];
  /** samples of one point from the buffer, oldest first */
  trend?: (pointId: string, fromMs: number, toMs: number) => Promise<{ t: number; v: number | null }[]>;
}

export function pageModel(s: PageSources): PlantModel {
  const { plant, clock } = s;
  const config = plant.config;
  const view = (role: 'analog' | 'contact'): PointView[] =>
    [...plant.points.info.values()]
      .filter((i) => i.role === role)
      .map((i) => {
        const cur = plant.points.get(i.id);
        return {
          id: i.id,
          name: i.name,
          kind: i.kind,
          unit: i.unit,
          v: cur?.v ?? null,
          q: cur?.q ?? 'stale',
          t: cur?.t ?? 0,
          ...(i.limits ? { limits: i.limits } : {}),
        };
      });
  return {
    snapshot(): PlantSnapshot {
      const flood = plant.alarms.flood();
      return {
        site: { name: config.site.name, gateway: config.site.gateway, enterprise: config.site.enterprise },
        t: clock.now(),
        points: view('analog'),
        contacts: view('contact'),
        outputs: plant.outputs.list(),
        permits: plant.interlocks.permits(),
        alarms: plant.alarms.views(),
        lockouts: plant.interlocks.lockoutViews(),
        uplinks: s.uplinks?.() ?? [],
        devices: s.devices?.() ?? [],
        ...(flood ? { flood } : {}),
      };
    },
    onChange: (listener) => plant.onChange(listener),
    acknowledge: async (alarmId, user) => plant.alarms.acknowledge(alarmId, user),
    reset: async (interlockId, user) => plant.interlocks.reset(interlockId, user),
    shelve: async (alarmId, user, reason, untilMs) => plant.alarms.shelve(alarmId, user, reason, untilMs),
    trend: async (pointId, fromMs, toMs) => (plant.points.info.has(pointId) && s.trend ? s.trend(pointId, fromMs, toMs) : []),
  };
}
