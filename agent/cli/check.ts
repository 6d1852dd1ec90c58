/**
 * `firebreak check site.yaml`: every problem at once, one line each, exit 78; or a summary, with
 * each bus's load. A bus its polls fill beyond 80 % is warned about; beyond 100 % it is refused,
 * because its devices would be polled late and their points go stale (issue 21: 100 devices at
 * 100 ms on 9600 baud were each polled every ~4.2 s).
 */
import { busLoad, type BusLoad } from '../acquisition/bus-load.js';
import { formatProblem, loadSiteFile } from '../config/load.js';
import type { SiteConfig } from '../config/schema.js';
import { EX_CONFIG, EX_OK } from '../core/exit-codes.js';

const WARN_LOAD = 0.8;
const MAX_LOAD = 1;

const pct = (x: number) => `${x >= 0.1 ? Math.round(x * 100) : Math.round(x * 1000) / 10} %`;

function loadText(l: BusLoad): string {
  return `${pct(l.load)} of ${l.baudRate} baud (${l.devices} device(s), ${Math.round(l.readsPerS * 10) / 10} reads/s; every read timing out: ${pct(l.worstLoad)})`;
}

/** Each bus's load, and the warnings and refusals it calls for, as lines with the bus's path. */
export function busLoads(c: SiteConfig): { loads: BusLoad[]; warnings: string[]; refusals: string[] } {
  const loads = c.buses.map((b) => busLoad(b, c.devices));
  const warnings: string[] = [];
  const refusals: string[] = [];
  loads.forEach((l, i) => {
    const where = `buses[${i}] (${l.bus})`;
    if (l.load > MAX_LOAD) refusals.push(`${where}: load ${loadText(l)}: must be at most 100 %; poll less often, raise baudRate or split the devices over more buses`);
    else if (l.load > WARN_LOAD) warnings.push(`${where}: load ${loadText(l)}: above 80 %, little time is left for retries and dead devices`);
  });
  return { loads, warnings, refusals };
}

export function summarise(c: SiteConfig, loads: BusLoad[] = c.buses.map((b) => busLoad(b, c.devices))): string {
  const points = c.devices.reduce((n, d) => n + d.points.length, 0);
  const gpio = c.gpio ? `${c.gpio.inputs.length} contacts, ${c.gpio.outputs.length} outputs` : 'no GPIO';
  const uplink = c.uplink?.mqtt ? `MQTT ${c.uplink.mqtt.url}` : 'no uplink (buffer only)';
  const loop = [
    c.hazards && `${c.hazards.length} hazard rule(s)`,
    c.cleaning && `${c.cleaning.length} cleaning area(s)`,
    c.alarms?.disposition && `alarm feedback within ${c.alarms.disposition.withinMin} min`,
    c.confinedSpaces && `${c.confinedSpaces.length} confined space(s)`,
    c.workTickets && `${c.workTickets.hotWork.length} hot-work area(s)`,
    c.digests && `${c.digests.shifts.length} shift(s)`,
  ].filter(Boolean);
  return (
    `${c.site.gateway} (${c.site.name ?? c.site.enterprise}): ${c.buses.length} bus(es), ${c.devices.length} device(s), ` +
    `${points} point(s), ${gpio}, ${c.interlocks.length} interlock(s), ${uplink}` +
    (loop.length > 0 ? `; closed loop: ${loop.join(', ')}` : '') +
    loads.map((l) => `; bus ${l.bus} load ${loadText(l)}`).join('')
  );
}

export async function checkCommand(file: string, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const r = await loadSiteFile(file);
  if (!r.ok) {
    err(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
    for (const p of r.problems) err(formatProblem(p));
    return EX_CONFIG;
  }
  const { loads, warnings, refusals } = busLoads(r.config);
  if (refusals.length > 0) {
    err(`${file}: ${refusals.length} overloaded bus${refusals.length === 1 ? '' : 'es'}:`);
    for (const line of [...refusals, ...warnings]) err(line);
    return EX_CONFIG;
  }
  for (const line of warnings) err(`warning: ${line}`);
  out(`${file}: OK: ${summarise(r.config, loads)}`);
  return EX_OK;
}
