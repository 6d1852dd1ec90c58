import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { expect, it, onTestFinished } from 'vitest';
import type { Sample } from '../../agent/core/types.js';
import { buildChild } from './child-build.js';
import { openOutbox, tempDir } from './tmp-outbox.js';

it('an agent killed with SIGKILL right after a commit loses nothing it had committed', async () => {
  const entry = fileURLToPath(new URL('./fixtures/committing-agent.ts', import.meta.url));
  const { script, dir } = buildChild(entry, ['agent/buffer', 'agent/core', 'drivers']);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(tempDir(), 'buffer.db');
  const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const last = await new Promise<{ data: number; events: number; samples: number }>((resolve, reject) => {
    let buf = '';
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const all = buf.split('\n');
      buf = all.pop()!;
      for (const line of all) {
        const m = /committed data=(\d+) events=(\d+) samples=(\d+)/.exec(line);
        if (m && ++lines >= 200) {
          // the plug is pulled while the agent keeps writing
          child.kill('SIGKILL');
          resolve({ data: Number(m[1]), events: Number(m[2]), samples: Number(m[3]) });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`agent exited early (${code}): ${stderr}`)));
  });
  await new Promise((r) => child.once('exit', r));

  const { outbox } = await openOutbox({ path });
  const data = await outbox.readRange('data', 1, last.data);
  const events = await outbox.readRange('events', 1, last.events);
  expect(data.map((m) => m.seq)).toEqual(Array.from({ length: last.data }, (_, i) => i + 1));
  expect(events.map((m) => m.seq)).toEqual(Array.from({ length: last.events }, (_, i) => i + 1));
  const values = data.flatMap((m) => (m.stream === 'data' ? m.samples : [])).map((s: Sample) => s.v);
  expect(values.slice(0, last.samples)).toEqual(Array.from({ length: last.samples }, (_, i) => i));
  await outbox.close();
}, 30_000);
