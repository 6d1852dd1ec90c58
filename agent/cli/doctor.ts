/** `firebreak doctor [--config FILE] [--user NAME] [--check ID ...]`: exit 1 when a check fails. */
import { statfs } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatLine, runDoctor } from '../doctor/doctor.js';
import { SystemSyncProbe } from '../core/clock-sync.js';
import { COMMANDS } from './commands.js';

export async function doctorCommand(args: string[], out: (line: string) => void, _err: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: COMMANDS.doctor.flags });
  const lines = await runDoctor(
    {
      root: values.root ?? '/',
      siteFile: values.config ?? '/etc/firebreak/site.yaml',
      user: values.user ?? 'firebreak',
      syncProbe: new SystemSyncProbe(),
      statfs: (p) => statfs(p),
      mqttTimeoutMs: Number(values['timeout-ms'] ?? 5000),
    },
    values.check,
  );
  for (const l of lines) out(formatLine(l));
  const failed = lines.filter((l) => l.status === 'fail').length;
  out(failed ? `${failed} check(s) failed` : 'all checks passed');
  return failed ? 1 : 0;
}
