/**
 * Reading a site file: YAML → schema → either a typed SiteConfig or the full list of problems,
 * one line each, `path: what is allowed (got what was found)`, with the line in the file.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { SiteConfigSchema } from './schema.js';
import { formatProblem, type ConfigProblem, type LoadResult } from './problem.js';
import { checkSiteBytes, readSiteBytes } from './site-bytes.js';
import { aliasExpansionProblem, aliasProblems, MAX_ALIAS_COUNT } from './yaml-aliases.js';

export { formatProblem, type ConfigProblem, type LoadResult };

export async function loadSiteFile(file: string): Promise<LoadResult> {
  const bytes = await readSiteBytes(file);
  return bytes.ok ? parseCheckedText(bytes.text) : { ok: false, problems: [bytes.problem] };
}

/**
 * Whatever the text holds, the answer is a list of problems, never a throw: a site file that
 * cannot be read is a configuration error (exit 78), not a crash (exit 70) that systemd retries.
 */
export function parseSiteText(text: string): LoadResult {
  const bytes = checkSiteBytes(Buffer.from(text, 'utf8'));
  return bytes.ok ? parseCheckedText(text) : { ok: false, problems: [bytes.problem] };
}

/** Text whose bytes checkSiteBytes has passed (size, NUL, UTF-8): YAML, aliases, schema. */
function parseCheckedText(text: string): LoadResult {
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
  const aliases = aliasProblems(doc, lines);
  if (aliases.length > 0) return { ok: false, problems: aliases };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // yaml says so in words only: "Excessive alias count indicates a resource exhaustion attack"
    const problem = /alias count/i.test(message) ? aliasExpansionProblem(doc, lines) : { path: '', message: `cannot be read as YAML: ${message}` };
    return { ok: false, problems: [problem] };
  }
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
  let s: string;
  try {
    s = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  } catch {
    s = String(v); // a value JSON cannot write (a bigint) still has a name
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
