/**
 * Node 20 cannot run TypeScript, so a child process for the power-cut test is transpiled
 * (no type check) into node_modules/.cache, where it still finds the installed sqlite3 and pino.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export function buildChild(entry: string, dirs: string[]): { script: string; dir: string } {
  const out = join(repo, 'node_modules', '.cache', 'firebreak-test', `${process.pid}-${Date.now()}`);
  const files = [entry, ...dirs.flatMap((d) => readdirSync(join(repo, d)).filter((f) => f.endsWith('.ts')).map((f) => join(repo, d, f)))];
  for (const file of files) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const target = join(out, relative(repo, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return { script: join(out, relative(repo, entry)).replace(/\.ts$/, '.js'), dir: out };
}

/** every folder of agent/ and drivers/ with TypeScript in it (what a stand-in agent imports), and `extra` */
export function agentSourceDirs(extra: string[] = []): string[] {
  return ['agent', 'drivers']
    .flatMap((top) => [
      top,
      ...readdirSync(join(repo, top), { recursive: true, withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(d.parentPath ?? d.path, d.name).slice(repo.length))
        .filter((dir) => readdirSync(join(repo, dir)).some((f) => f.endsWith('.ts'))),
    ])
    .concat(extra);
}
