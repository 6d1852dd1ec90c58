/** `firebreak check site.yaml`: every problem at once, one line each, exit 78; or a summary. */
import { formatProblem, loadSiteFile } from '../config/load.js';
import type { SiteConfig } from '../config/schema.js';
import { EX_CONFIG, EX_OK } from '../core/exit-codes.js';

export function summarise(c: SiteConfig): string {
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
    (loop.length > 0 ? `; closed loop: ${loop.join(', ')}` : '')
  );
}

export async function checkCommand(file: string, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const r = await loadSiteFile(file);
  if (!r.ok) {
    err(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
    for (const p of r.problems) err(formatProblem(p));
    return EX_CONFIG;
  }
  out(`${file}: OK: ${summarise(r.config)}`);
  return EX_OK;
}
