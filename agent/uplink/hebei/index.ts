/**
 * The Hebei provincial uplink (粉尘涉爆企业监测预警系统数据上传接口 V1.1), built from the site
 * file: HebeiProvince on the shared provincial HTTP machinery, with its own outbox cursor
 * `hebei` and its progress in `{buffer.path}.hebei.json`. See docs/HEBEI.md.
 */
import type { Outbox } from '../../buffer/outbox.js';
import type { SiteConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Sample } from '../../core/types.js';
import type { BackoffOptions } from '../backoff.js';
import type { HttpPost } from '../provincial/http-post.js';
import type { RollupPoint } from '../provincial/period-rollup.js';
import { ProvincialUplink } from '../provincial/provincial-uplink.js';
import { HebeiProvince } from './hebei-province.js';
import { KIND_ZH, type HebeiPoint } from './payloads.js';

export interface HebeiUplinkOptions {
  site: SiteConfig;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** the plant's current values, the starting state on the very first run */
  snapshot?: () => Sample[];
  post?: HttpPost;
  backoff?: BackoffOptions;
  graceMs?: number;
  timeoutMs?: number;
  /** tests only: a period shorter than the schema's 5 s */
  periodMs?: number;
}

export function createHebeiUplink(o: HebeiUplinkOptions): ProvincialUplink {
  const cfg = o.site.uplink?.hebei;
  if (!cfg) throw new Error('uplink.hebei is not configured');
  const periodMs = o.periodMs ?? cfg.periodSeconds * 1000;
  const mapped = new Map<string, HebeiPoint>();
  const rollup = new Map<string, RollupPoint>();
  for (const d of o.site.devices) {
    for (const p of d.points) {
      const tnm = cfg.points[p.id];
      if (tnm === undefined) continue;
      mapped.set(p.id, { tnm, label: p.name ?? KIND_ZH[p.kind] ?? p.id });
      // a Modbus point reports at least every heartbeatS: older than twice that, the agent was not running
      rollup.set(p.id, { maxAgeMs: 2 * p.heartbeatS * 1000 + periodMs });
    }
  }
  for (const i of o.site.gpio?.inputs ?? []) {
    const tnm = cfg.points[i.id];
    if (tnm === undefined) continue;
    mapped.set(i.id, { tnm, label: i.name ?? i.id });
    // a contact reports only when it changes: its last state holds
    rollup.set(i.id, {});
  }
  return new ProvincialUplink({
    province: new HebeiProvince(cfg, mapped, periodMs),
    outbox: o.outbox,
    clock: o.clock,
    log: o.log,
    progressPath: `${o.site.buffer.path}.hebei.json`,
    points: rollup,
    snapshot: o.snapshot,
    post: o.post,
    backoff: o.backoff,
    graceMs: o.graceMs,
    timeoutMs: o.timeoutMs,
  });
}
