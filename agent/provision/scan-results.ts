/**
 * What `firebreak scan` found on the RS-485 ports, as provision reads it: a JSON array of
 * `{ port, baudRate, parity, unitId }`, one per answering unit, optionally with `template` (when
 * the scan or the installer recognised the model), `id` and `name`. docs/INSTALL.md, "Scan results".
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BAUD_RATES } from '../config/schema.js';

export const ScanEntry = z.object({
  port: z.string().min(1),
  baudRate: z.number().refine((b) => (BAUD_RATES as readonly number[]).includes(b), { message: `must be one of ${BAUD_RATES.join(', ')}` }),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  unitId: z.number().int().min(1).max(247),
  template: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
});
export type ScanEntry = z.output<typeof ScanEntry>;

export async function readScanResults(file: string): Promise<ScanEntry[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read scan results (${(err as Error).message})`, { cause: err });
  }
  const parsed = z.array(ScanEntry).safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  [${i.path.join('].')}: ${i.message}`.replace('].]', ']'));
    throw new Error(`${file}: not scan results ([{port, baudRate, parity, unitId}]):\n${lines.join('\n')}`);
  }
  return parsed.data;
}
