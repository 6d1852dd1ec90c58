/**
 * hazards.cpuPercentOverhead and hazards.rssMiBOverhead: what the workshop example's closed-loop
 * sections cost the agent (config/site.workshop.yaml: its `hazards` rules, its `cleaning` area
 * and `alarms.disposition`). The acquisition bench's gateway (10 devices × 10 registers every
 * 1 s, 8 GPIO inputs, the uplink to mosquitto) runs twice in the same run, side by side: once
 * with those sections and once without, the same inputs (three of them named as the rules name
 * them: fan1.run, valve1.run, spark1.fault) in both. Each figure is the difference of the two;
 * hazards.cpuPercent.off and .on, hazards.rssMiB.off and .on are reported beside it, with the
 * bare library floor of the acquisition bench as the floor under both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../agent/core/paths.js';
import { acquisitionLoad, type BenchSite } from './acquisition-cpu.js';
import type { Bench } from './run.js';
import { round } from './stats.js';

const RULE_INPUTS = ['fan1.run', 'valve1.run', 'spark1.fault'];

function namedInputs(site: BenchSite): BenchSite {
  return { ...site, gpio: { ...site.gpio, inputs: site.gpio.inputs.map((i, n) => (n < RULE_INPUTS.length ? { ...i, id: RULE_INPUTS[n] } : i)) } };
}

function withClosedLoop(site: BenchSite): BenchSite {
  const workshop = parse(readFileSync(join(packageRoot(), 'config', 'site.workshop.yaml'), 'utf8')) as { hazards: unknown; cleaning: unknown; alarms: { disposition: unknown } };
  return { ...namedInputs(site), hazards: workshop.hazards, cleaning: workshop.cleaning, alarms: { disposition: workshop.alarms.disposition } };
}

export const hazardsOverheadBench: Bench = {
  name: 'hazards.overhead',
  async run({ quick }) {
    const windowMs = quick ? 20_000 : 60_000;
    const off = await acquisitionLoad(windowMs, namedInputs);
    const on = await acquisitionLoad(windowMs, withClosedLoop);
    return {
      'hazards.cpuPercent.off': round(off.cpuPercent),
      'hazards.cpuPercent.on': round(on.cpuPercent),
      'hazards.cpuPercentOverhead': round(on.cpuPercent - off.cpuPercent),
      'hazards.rssMiB.off': round(off.rssMiB),
      'hazards.rssMiB.on': round(on.rssMiB),
      'hazards.rssMiBOverhead': round(on.rssMiB - off.rssMiB),
    };
  },
};
