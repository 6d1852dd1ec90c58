/**
 * The workshop example (site.workshop.yaml): the closed-loop sections load unchanged, and a
 * mistake in any of them is named with its path and line, references included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadSiteFile, parseSiteText } from '../../agent/config/load.js';

const here = new URL('.', import.meta.url).pathname;
const projectCopy = `${here}../../config/site.workshop.yaml`;
const sharedCopy = `${here}../../../shared/spec/site.workshop.yaml`;
const workshop = readFileSync(projectCopy, 'utf8');

/** the workshop file with one edit, and the problems it then has */
function problemsAfter(from: string, to: string): string[] {
  expect(workshop, `the edit's anchor: ${from}`).toContain(from);
  const r = parseSiteText(workshop.replace(from, to));
  if (r.ok) throw new Error('expected the edited file to be refused');
  return r.problems.map(formatProblem);
}

const lineOf = (needle: string) => workshop.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('the workshop site file', () => {
  it('loads unchanged, with every closed-loop section', async () => {
    const r = await loadSiteFile(projectCopy);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const c = r.config;
    expect(c.alarms?.disposition).toEqual({ priorities: ['high', 'critical'], withinMin: 30 });
    expect(c.hazards?.map((h) => [h.id, h.clause, h.grade, h.rectifyWithinH])).toEqual([
      ['airlock-stopped', '粉尘-6', 'major', 24],
      ['spark-detection-down', '粉尘-8', 'major', 24],
    ]);
    expect(c.hazards?.[0]?.when[1]).toEqual({ input: 'valve1.run', is: false, forMs: 600000 });
    expect(c.cleaning).toEqual([{ id: 'sanding-room', name: '砂光区积尘清扫', everyH: 8, graceMin: 60, clause: '粉尘-10', grade: 'major' }]);
    const space = c.confinedSpaces?.[0];
    expect(space?.isolation).toEqual(['loto.hopper1']);
    expect(space?.ventilation).toEqual({ input: 'vfan1.run', is: true, forMs: 1800000 });
    expect(space?.gas).toHaveLength(4);
    expect([space?.testValidMin, space?.retestAfterPauseMin, space?.maxEntrants]).toEqual([30, 30, 2]);
    expect(c.workTickets?.hotWork[0]).toMatchObject({ cleaning: 'sanding-room', cleanedWithinH: 2, validH: 8, certificate: '焊接与热切割作业' });
    expect(c.digests?.shifts.map((s) => s.starts)).toEqual(['08:00', '16:00', '00:00']);
    expect(c.digests?.weekStarts).toBe('monday');
    expect(c.digests?.earlyWarning.map((e) => [e.point, e.limit, e.horizonH])).toEqual([
      ['dc1.dp', 'high', 8],
      ['dc1.hopperTemp', 'high', 1],
    ]);
  });

  it.runIf(existsSync(sharedCopy))('keeps its copy identical to shared/spec', () => {
    expect(workshop).toBe(readFileSync(sharedCopy, 'utf8'));
  });

  it('names a hazard rule whose condition reads an input that does not exist, with its line', () => {
    expect(problemsAfter('- { input: valve1.run, is: false, forMs: 600000 }', '- { input: valve9.run, is: false, forMs: 600000 }')).toEqual([
      `hazards[0].when[1].input: must name a gpio input (got "valve9.run") [line ${lineOf('valve1.run, is: false, forMs: 600000')}]`,
    ]);
  });

  it('names a hazard without a clause and a grade that is not major or general', () => {
    expect(problemsAfter('    clause: 粉尘-6                      # dust section, item (六)\n    grade: major', '    grade: severe')).toEqual([
      `hazards[0].clause: must be text (missing) [line ${lineOf('- id: airlock-stopped')}]`,
      `hazards[0].grade: must be one of major, general (got "severe") [line ${lineOf('- id: airlock-stopped') + 2}]`,
    ]);
  });

  it('names an isolation that is not a lockout, a gas point that does not exist and a hot-work area with no cleaning', () => {
    const edited = workshop
      .replace('isolation: [loto.hopper1]', 'isolation: [fan1.run]')
      .replace('{ point: gd1.co, below: 20 }', '{ point: gd1.c0, below: 20 }')
      .replace('cleaning: sanding-room           # that area', 'cleaning: sanding-rom            # that area');
    const r = parseSiteText(edited);
    if (r.ok) throw new Error('expected the edited file to be refused');
    expect(r.problems.map(formatProblem)).toEqual([
      `confinedSpaces[0].isolation[0]: must name a lockout input (fan1.run is a run_feedback) (got "fan1.run") [line ${lineOf('isolation: [loto.hopper1]')}]`,
      `confinedSpaces[0].gas[3].point: must name a point of a device (got "gd1.c0") [line ${lineOf('point: gd1.co')}]`,
      `workTickets.hotWork[0].cleaning: must name a cleaning area (sanding-room) (got "sanding-rom") [line ${lineOf('cleaning: sanding-room           #')}]`,
    ]);
  });

  it('names an early warning on a limit the point does not have, and two shifts starting at once', () => {
    const edited = workshop.replace('{ point: dc1.hopperTemp, limit: high, horizonH: 1 }', '{ point: dc1.hopperTemp, limit: low, horizonH: 1 }').replace('{ name: 夜班, starts: "00:00" }', '{ name: 夜班, starts: "16:00" }');
    const r = parseSiteText(edited);
    if (r.ok) throw new Error('expected the edited file to be refused');
    expect(r.problems.map(formatProblem)).toEqual([
      `digests.shifts[2].starts: starts at the same time as shifts[1] (16:00): shifts may not overlap (got "16:00") [line ${lineOf('夜班')}]`,
      `digests.earlyWarning[1].limit: must be a limit that dc1.hopperTemp has (it has high, highHigh) (got "low") [line ${lineOf('dc1.hopperTemp, limit: high')}]`,
    ]);
  });

  it('names a shift start that is not a time of day and an unknown key in a confined space', () => {
    expect(problemsAfter('starts: "08:00"', 'starts: "8 am"')).toEqual([`digests.shifts[0].starts: must be a time like 08:00 (00:00..23:59) (got "8 am") [line ${lineOf('早班')}]`]);
    expect(problemsAfter('    maxEntrants: 2', '    maxEntrant: 2')).toEqual([`confinedSpaces[0].maxEntrant: unknown key (did you mean maxEntrants?) [line ${lineOf('maxEntrants: 2')}]`]);
  });

  it('keeps the closed-loop sections optional: the installer example stays valid as it is', async () => {
    const r = await loadSiteFile(`${here}../../config/site.example.yaml`);
    expect(r.ok && [r.config.hazards, r.config.cleaning, r.config.confinedSpaces, r.config.workTickets, r.config.digests]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
