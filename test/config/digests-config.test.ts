/**
 * The digests section of the site file: the workshop file loads unchanged with the documented
 * risk thresholds; a shift table with a gap or an overlap, or an early warning on a point the
 * site does not have, is refused with its path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseSiteText } from '../../agent/config/load.js';

const workshop = readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8');

function problemsAfter(from: string, to: string): string[] {
  expect(workshop).toContain(from);
  const r = parseSiteText(workshop.replace(from, to));
  if (r.ok) throw new Error('expected the edited file to be refused');
  return r.problems.map(formatProblem);
}

describe('the digests section', () => {
  it('loads the workshop file unchanged, with the default risk thresholds and trend window', () => {
    const r = parseSiteText(workshop);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.config.digests?.trendWindowMin).toBe(120);
    expect(r.config.digests?.risk).toEqual({ completenessYellowPct: 95, tripsOrange: 1, criticalAlarmsOrange: 1, highAlarmsYellow: 1, floodsYellow: 1, unavailableMinOrange: 10, ackMedianMinYellow: 10 });
    expect(r.config.digests?.earlyWarning[0]?.windowMin).toBeUndefined();
  });

  it('takes a site’s own thresholds and window', () => {
    const r = parseSiteText(workshop.replace('  weekStarts: monday', '  weekStarts: monday\n  trendWindowMin: 240\n  risk: { completenessYellowPct: 90, tripsOrange: 2 }'));
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.config.digests?.trendWindowMin).toBe(240);
    expect(r.config.digests?.risk).toMatchObject({ completenessYellowPct: 90, tripsOrange: 2, highAlarmsYellow: 1 });
  });

  it('refuses a shift that ends before the next starts: the day is not covered', () => {
    expect(problemsAfter('{ name: 早班, starts: "08:00" }', '{ name: 早班, starts: "08:00", ends: "15:00" }')).toEqual([
      expect.stringMatching(/^digests\.shifts\[0\]\.ends: leaves 15:00–16:00 outside every shift/),
    ]);
  });

  it('refuses a shift that ends after the next starts, and two shifts starting together', () => {
    expect(problemsAfter('{ name: 早班, starts: "08:00" }', '{ name: 早班, starts: "08:00", ends: "17:00" }')).toEqual([expect.stringMatching(/^digests\.shifts\[0\]\.ends: overlaps 中班/)]);
    expect(problemsAfter('{ name: 中班, starts: "16:00" }', '{ name: 中班, starts: "08:00" }')).toEqual([expect.stringMatching(/^digests\.shifts\[1\]\.starts: starts at the same time as shifts\[0\]/)]);
  });

  it('accepts ends that meet the next start, round midnight too', () => {
    const r = parseSiteText(workshop.replace('{ name: 中班, starts: "16:00" }', '{ name: 中班, starts: "16:00", ends: "00:00" }'));
    expect(r.ok).toBe(true);
  });

  it('refuses an early warning on an unknown point, and a bad threshold', () => {
    expect(problemsAfter('{ point: dc1.dp, limit: high, horizonH: 8 }', '{ point: dc9.dp, limit: high, horizonH: 8 }')).toEqual([expect.stringMatching(/^digests\.earlyWarning\[0\]\.point: must name a point of a device/)]);
    expect(problemsAfter('  weekStarts: monday', '  weekStarts: monday\n  risk: { completenessYellowPct: 150 }')).toEqual([expect.stringMatching(/^digests\.risk\.completenessYellowPct: /)]);
  });
});
