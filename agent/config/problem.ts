/** One problem in a site file, and how it is printed: `path: what is allowed (got …) [line N]`. */
import type { SiteConfig } from './schema.js';

export interface ConfigProblem {
  /** `devices[1].points[0].register.address` */
  path: string;
  message: string;
  /** 1-based line in the file, when known */
  line?: number;
}

export type LoadResult = { ok: true; config: SiteConfig } | { ok: false; problems: ConfigProblem[] };

export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(file)'}: ${p.message}${p.line ? ` [line ${p.line}]` : ''}`;
}
