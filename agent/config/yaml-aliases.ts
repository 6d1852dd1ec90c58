/**
 * YAML anchors and aliases (`&limits` … `*limits`) are allowed in a site file, but three uses
 * are not a site, and the parser throws on them instead of reporting: an alias to an anchor
 * not (yet) set, an alias inside the node it names (a circle), and alias expansion past
 * MAX_ALIAS_COUNT (the "billion laughs"). Each becomes a problem with the alias's line.
 */
import { visit, type Document, type LineCounter } from 'yaml';
import type { ConfigProblem } from './problem.js';

/** yaml's own default; the example files use none, a hand-written file a few dozen at most. */
export const MAX_ALIAS_COUNT = 100;

export function aliasProblems(doc: Document, lines: LineCounter): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  visit(doc, {
    Alias(_key, alias) {
      const line = alias.range ? lines.linePos(alias.range[0]).line : undefined;
      const target = alias.resolve(doc);
      const at = (message: string): ConfigProblem => (line === undefined ? { path: '', message } : { path: '', message, line });
      if (!target) out.push(at(`*${alias.source}: no anchor &${alias.source} is set before this alias`));
      else if (target.range && alias.range && alias.range[0] >= target.range[0] && alias.range[1] <= target.range[1]) {
        out.push(at(`*${alias.source}: the alias is inside the node &${alias.source} names, so it would contain itself`));
      }
    },
  });
  return out;
}

/** The problem for a document whose aliases expand past MAX_ALIAS_COUNT. */
export function aliasExpansionProblem(doc: Document, lines: LineCounter): ConfigProblem {
  let line: number | undefined;
  visit(doc, {
    Alias(_key, alias) {
      if (alias.range) line = lines.linePos(alias.range[0]).line;
      return visit.BREAK;
    },
  });
  const message = `aliases expand past ${MAX_ALIAS_COUNT} copies (a "billion laughs" file): write the values out, or use fewer aliases`;
  return line === undefined ? { path: '', message } : { path: '', message, line };
}
