/**
 * `firebreak demo`: the agent on its built-in simulators, a scripted story on a loop, an
 * embedded MQTT broker, and what the platform receives printed in the terminal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../app.js';
import { createLogger } from '../core/log.js';
import { packageRoot } from '../core/paths.js';
import { startDemoBroker } from '../demo/broker.js';
import { startPlatformView } from '../demo/platform-view.js';
import { Story } from '../demo/story.js';
import { SystemClock } from '../core/clock.js';
import { addUser } from '../hmi/users.js';
import type { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { EX_CONFIG } from '../core/exit-codes.js';
import { loadOrExplain, runUntilSignal } from './run.js';

export const DEMO_USER = { name: 'operator', password: 'firebreak', role: 'supervisor' as const };

export async function demoCommand(o: { hmiPort: number; out: (l: string) => void; err: (l: string) => void; dataDir?: string }): Promise<number> {
  const loaded = await loadOrExplain(join(packageRoot(), 'config', 'demo.site.yaml'), o.err);
  if (!loaded) return EX_CONFIG;
  const dataDir = o.dataDir ?? join(process.cwd(), 'demo-data');
  const broker = await startDemoBroker('127.0.0.1', 1883);
  const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  const usersFile = join(dataDir, 'users.json');
  if (!existsSync(usersFile)) await addUser(usersFile, DEMO_USER.name, DEMO_USER.password, DEMO_USER.role);
  const config = {
    ...loaded,
    uplink: { mqtt: { ...loaded.uplink!.mqtt!, url: mqttUrl } },
    buffer: { ...loaded.buffer, path: join(dataDir, 'buffer.db') },
    hmi: { listen: `0.0.0.0:${o.hmiPort}`, usersFile },
  };
  const root = `${config.uplink.mqtt.topicPrefix}/${config.site.enterprise}/${config.site.gateway}`;
  const view = await startPlatformView(mqttUrl, root, o.out);
  // The demo's own lines go to the terminal; the agent's JSON log only for warnings and worse.
  const log = createLogger(process.env.FIREBREAK_LOG_LEVEL ?? 'warn', undefined);
  const clock = new SystemClock();
  let story: Story | undefined;
  const code = await runUntilSignal(
    () => startAgent({ config, log, clock }),
    log,
    o.err,
    (agent) => {
      const gpio = agent.gpio as SimGpio;
      const lineOf = new Map((config.gpio?.inputs ?? []).map((i) => [i.id, i.line]));
      story = new Story(
        {
          analog: (p, v) => agent.simulator?.set(p, v),
          contact: (id, active) => gpio.set(lineOf.get(id)!, active),
          reset: (id, user) => agent.page.reset(id, user),
          say: (text) => o.out(`[演示 story] ${text}`),
        },
        clock,
      );
      story.start();
      o.out(`Firebreak demo: operator page http://localhost:${agent.hmiPort}/  (login ${DEMO_USER.name} / ${DEMO_USER.password})`);
      o.out(`MQTT broker ${mqttUrl}, topic root ${root}; Ctrl-C to stop`);
    },
  );
  story?.stop();
  await view.close();
  await broker.close();
  return code;
}
