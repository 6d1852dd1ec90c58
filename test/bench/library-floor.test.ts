/**
 * acquisition.rssMiB.libraryFloor imports AGENT_LIBRARIES and nothing else: the figure is only a
 * floor if those are the packages a running agent loads. Both sides are loaded in a fresh node
 * (the compiled agent, as `firebreak run` loads it) and their node_modules packages compared.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_LIBRARIES } from '../../bench/acquisition-cpu.js';
import { packageRoot } from '../../agent/core/paths.js';

/** The node_modules packages a fresh node has loaded after importing `specifiers`, in order. */
function packagesLoadedBy(specifiers: readonly string[]): string[] {
  const hook = `let port; export function initialize(d) { port = d.port; } export async function load(url, ctx, next) { port.postMessage(url); return next(url, ctx); }`;
  const script = `
    import { register, createRequire } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const urls = new Set();
    port1.on('message', (u) => urls.add(u));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] });
    for (const s of ${JSON.stringify(specifiers)}) await import(s);
    // the hook posts from its own thread, in load order: once this last module's URL is here, so
    // is every URL before it
    const sentinel = 'data:text/javascript,export default "library-floor sentinel"';
    const arrived = new Promise((r) => port1.on('message', (u) => u === sentinel && r()));
    await import(sentinel);
    await arrived;
    for (const f of Object.keys(createRequire(import.meta.url).cache)) urls.add(f);
    const names = new Set([...urls].map((u) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(u)?.[1]).filter(Boolean));
    console.log(JSON.stringify([...names].sort()));
    port1.close();`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot(), encoding: 'utf8' })) as string[];
}

describe('the library floor of the memory bench', () => {
  it('loads the same third-party packages as the running agent, no more and no fewer', () => {
    const dist = (p: string) => pathToFileURL(join(packageRoot(), 'dist', p)).href;
    // what `firebreak run` imports once the site file is read, plus the serial port it opens
    const agent = packagesLoadedBy([dist('agent/app.js'), dist('agent/core/log.js'), dist('agent/core/sd-notify.js'), dist('drivers/modbus/port-factory.js')]);
    const floor = packagesLoadedBy(AGENT_LIBRARIES);
    expect(floor).toEqual(agent);
    expect(floor).toEqual(expect.arrayContaining(['modbus-serial', 'serialport', 'sqlite3', 'mqtt', 'pino']));
    expect(floor).not.toContain('zod');
    expect(floor).not.toContain('yaml');
  }, 30_000);
});
