/**
 * Reading a site file: YAML → schema → either a typed SiteConfig or the full list of problems,
 * one line each, `path: what is allowed (got what was found)`, with the line in the file.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { SiteConfigSchema } from './schema.js';
import { formatProblem, type ConfigProblem, type LoadResult } from './problem.js';

export { formatProblem, type ConfigProblem, type LoadResult };

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map(formatProblem).join('\n')}`);
  }
}


export async function loadSiteFile(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, problems: [{ path: '', message: `cannot read ${file} (${e.code ?? e.message})` }] };
  }
  return parseSiteText(text);
}

export function parseSiteText(text: string): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
        line: lines.linePos(e.pos[0]).line,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = SiteConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.flatMap((i) => describeIssue(i, raw, doc, lines));
  // In file order, so an installer can walk down the file fixing them one by one.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, problems };
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, doc: Document, lines: LineCounter): ConfigProblem[] {
  const path = issue.path as (string | number)[];
  const lineOf = (p: (string | number)[]) => {
    for (let k = p.length; k >= 0; k--) {
      const node = doc.getIn(p.slice(0, k), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const siblings = knownKeys(issue);
      const hint = nearest(key, siblings);
      return {
        path: formatPath([...path, key]),
        message: `unknown key${hint ? ` (did you mean ${hint}?)` : ''}`,
        line: lineOf([...path, key]),
      };
    });
  }
  const found = valueAt(raw, path);
  const text = issue.message.startsWith('Invalid input') ? plainMessage(issue) : issue.message;
  const message = found === undefined && issue.code !== 'custom' ? `${text} (missing)` : `${text} (got ${show(found)})`;
  return [{ path: formatPath(path), message, line: lineOf(path) }];
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object (key: value lines)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
};

/** Zod's own wording for the few issues the schema does not word itself. */
function plainMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** Zod does not say which keys were allowed; the schema's shape at that path does. */
function knownKeys(issue: z.core.$ZodIssueUnrecognizedKeys): string[] {
  let s: unknown = SiteConfigSchema;
  for (const seg of issue.path) {
    s = unwrap(s);
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    if (typeof seg === 'number') s = (s as { element?: unknown }).element;
    else if (shape) s = shape[seg as string];
    else return [];
  }
  const shape = (unwrap(s) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(s: unknown): unknown {
  let cur = s as { def?: { innerType?: unknown; in?: unknown; type?: string } } | undefined;
  for (let i = 0; i < 10 && cur?.def; i++) {
    if (cur.def.innerType) cur = cur.def.innerType as typeof cur;
    else if (cur.def.type === 'pipe' && cur.def.in) cur = cur.def.in as typeof cur;
    else break;
  }
  return cur;
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
