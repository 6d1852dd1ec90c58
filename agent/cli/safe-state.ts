/**
 * `firebreak safe-state --config site.yaml`: write every output of the site file to its safe
 * state and exit. systemd runs it after the agent stops or dies (ExecStopPost): sysfs and
 * character-device GPIO lines keep their last level when the process is gone, so without it a
 * permit relay could stay energised until the restart.
 */
import { createLogger } from '../core/log.js';
import { SystemClock } from '../core/clock.js';
import { selectGpioBackend } from '../../drivers/gpio/select.js';
import { Outputs } from '../outputs/outputs.js';
import { EX_CONFIG, EX_OK, EX_UNAVAILABLE } from '../core/exit-codes.js';
import { loadOrExplain } from './run.js';

export async function safeStateCommand(configFile: string, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const config = await loadOrExplain(configFile, err);
  if (!config) return EX_CONFIG;
  const outputs = config.gpio?.outputs ?? [];
  if (outputs.length === 0) {
    out('no outputs in the site file: nothing to do');
    return EX_OK;
  }
  const clock = new SystemClock();
  const log = createLogger('warn');
  const choice = selectGpioBackend({ backend: config.gpio!.backend, simulate: false, chipBase: config.gpio!.chipBase, chip: config.gpio!.chip, clock, log });
  if (!choice.ok) {
    err(`firebreak safe-state: ${choice.error}`);
    return EX_UNAVAILABLE;
  }
  // Opening an output writes its safe state first of all (agent/outputs/outputs.ts).
  const relays = new Outputs(choice.backend, clock, log, () => {});
  relays.open(outputs);
  for (const o of relays.list()) out(`${o.id}: ${o.on ? 'on' : 'off'} (safe state)`);
  return EX_OK;
}
