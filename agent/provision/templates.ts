/**
 * Device templates (config/templates/*.yaml): a device's points with their registers, scaling and
 * limits, as data an installer can copy and edit. Point ids in a template are suffixes; a device
 * `dc1` made from a template with point `dp` gets `dc1.dp`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../core/paths.js';

const TemplateSchema = z.object({
  template: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  idPrefix: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
  serial: z.object({ baudRate: z.number().optional(), parity: z.enum(['none', 'even', 'odd']).optional() }).default({}),
  device: z.object({
    name: z.string().optional(),
    pollMs: z.number().optional(),
    // the points are checked by the site schema once instantiated, with site-file paths
    points: z.array(z.object({ id: z.string() }).passthrough()).min(1),
  }),
});

export type DeviceTemplate = z.output<typeof TemplateSchema> & { file: string };

export function defaultTemplateDir(): string {
  return join(packageRoot(), 'config/templates');
}

export async function loadTemplates(dir = defaultTemplateDir()): Promise<Map<string, DeviceTemplate>> {
  const out = new Map<string, DeviceTemplate>();
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  for (const f of files) {
    const file = join(dir, f);
    const parsed = TemplateSchema.safeParse(parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw new Error(`${file}: not a device template: ${first.path.join('.') || '(file)'}: ${first.message}`);
    }
    out.set(parsed.data.template, { ...parsed.data, file });
  }
  return out;
}

export interface DevicePlacement {
  id: string;
  bus: string;
  unitId: number;
  name?: string;
}

/** The site file's `devices[]` entry for one template placed on a bus. */
export function instantiate(t: DeviceTemplate, at: DevicePlacement): Record<string, unknown> {
  return {
    id: at.id,
    name: at.name ?? t.device.name,
    bus: at.bus,
    unitId: at.unitId,
    ...(t.device.pollMs !== undefined ? { pollMs: t.device.pollMs } : {}),
    points: t.device.points.map((p) => ({ ...p, id: `${at.id}.${p.id}` })),
  };
}
