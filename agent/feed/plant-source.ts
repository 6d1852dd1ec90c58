/** The plant as the feed sees it: samples, events, the alarm list and who is speaking. */
import type { SiteConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Plant } from '../plant/plant.js';
import type { FeedSource } from './feed-server.js';

export function plantFeedSource(plant: Plant, config: SiteConfig, bootId: string, clock: Clock): FeedSource {
  return {
    onSample: (l) => plant.onSample(l),
    onEvent: (l) => plant.onEvent(l),
    onAlarmsChange: (l) => plant.alarms.onChange(l),
    alarms: () => plant.alarms.views(),
    current: () => plant.points.samples(),
    hello: () => ({
      gateway: config.site.gateway,
      enterprise: config.site.enterprise,
      site: config.site.name,
      bootId,
      points: [...plant.points.info.values()].map((i) => ({ id: i.id, name: i.name, kind: i.kind, unit: i.unit })),
    }),
    now: () => clock.now(),
  };
}
