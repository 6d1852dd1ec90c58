/**
 * A digest as the `summary` event of the uplink contract (docs/UPLINK.md, "Closed-loop records"):
 * period, from, to and risk at the top level; the reasons and the figures in `detail`. Its id is
 * the period's, so a summary sent again after a power cut is the same event (at least once).
 */
import type { PlantEvent } from '../core/types.js';
import type { Digest } from './digest.js';
import type { Calendar } from './periods.js';
import { LEVEL_NAMES } from './risk-rules.js';

const KIND_WORDS: Record<Digest['period'], string> = { shift: '班次', day: '日', week: '周', month: '月' };

export function summaryEvent(d: Digest, calendar: Calendar): PlantEvent {
  return {
    id: `summary-${d.id}`,
    t: d.to,
    type: 'summary',
    source: 'digests',
    period: d.period,
    from: d.from,
    to: d.to,
    risk: d.risk,
    state: d.risk,
    message: `${KIND_WORDS[d.period]}风险预判 ${d.name} (${calendar.local(d.from)}–${calendar.local(d.to)}): ${LEVEL_NAMES[d.risk]}${d.reasons.length > 0 ? `; ${d.reasons.map((r) => r.text.split(' / ')[0]).join('; ')}` : ''}`,
    detail: { id: d.id, reasons: d.reasons, figures: d.figures },
  };
}
