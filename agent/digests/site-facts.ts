/**
 * What the digests need to know of the site file: the analog points with their poll period,
 * heartbeat and limits; the inputs that mean protection unavailable; the permits and the fans
 * they need; which closed-loop features the site has (a digest says "not configured" for the rest).
 */
import type { SiteConfig } from '../config/schema.js';
import { LIMIT_KINDS, type LimitKind } from './aggregate.js';

export interface PointFacts {
  id: string;
  name: string;
  unit: string;
  pollMs: number;
  /** the longest a value is held between samples: past this, the time is not counted as seen */
  holdMs: number;
  limits: Partial<Record<LimitKind, number>>;
}

export interface SiteFacts {
  gateway: string;
  siteName: string;
  timeZone: string;
  points: Map<string, PointFacts>;
  /** fault-kind inputs (spark system fault): true = protection unavailable */
  faults: Set<string>;
  /** permit output → the run-feedback inputs it needs on (the collector fan) */
  permits: Map<string, string[]>;
  /** cleaning areas and how often each is due, in hours */
  cleaning: { id: string; everyH: number }[];
  features: { hazards: boolean; cleaning: boolean; dispositions: boolean; tickets: boolean; earlyWarning: boolean };
}

export function siteFacts(c: SiteConfig): SiteFacts {
  const points = new Map<string, PointFacts>();
  for (const d of c.devices) {
    for (const p of d.points) {
      const limits: Partial<Record<LimitKind, number>> = {};
      for (const k of LIMIT_KINDS) if (p.limits?.[k] !== undefined) limits[k] = p.limits[k];
      // a value unchanged within its deadband is reported at least every heartbeatS; two polls of slack
      points.set(p.id, { id: p.id, name: p.name ?? p.id, unit: p.unit ?? '', pollMs: d.pollMs, holdMs: p.heartbeatS * 1000 + 2 * d.pollMs, limits });
    }
  }
  const inputs = c.gpio?.inputs ?? [];
  const runFeedback = new Set(inputs.filter((i) => i.kind === 'run_feedback').map((i) => i.id));
  const permits = new Map<string, string[]>();
  for (const il of c.interlocks) {
    if (!il.output) continue;
    const fans = (il.permitWhen ?? []).flatMap((cond) => ('input' in cond && 'is' in cond && cond.is === true && runFeedback.has(cond.input) ? [cond.input] : []));
    permits.set(il.output, fans);
  }
  return {
    gateway: c.site.gateway,
    siteName: c.site.name ?? c.site.enterprise,
    timeZone: c.site.timezone,
    points,
    faults: new Set(inputs.filter((i) => i.kind === 'fault').map((i) => i.id)),
    permits,
    cleaning: (c.cleaning ?? []).map((a) => ({ id: a.id, everyH: a.everyH })),
    features: {
      hazards: (c.hazards?.length ?? 0) > 0 || inputs.some((i) => i.kind === 'lockout'),
      cleaning: (c.cleaning?.length ?? 0) > 0,
      dispositions: c.alarms?.disposition !== undefined,
      tickets: (c.confinedSpaces?.length ?? 0) > 0 || (c.workTickets?.hotWork.length ?? 0) > 0,
      earlyWarning: (c.digests?.earlyWarning.length ?? 0) > 0,
    },
  };
}
