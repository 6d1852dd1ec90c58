/**
 * The page's files: everything under public/ (next to this file, both in the source tree and in
 * dist/), and uPlot from node_modules, so the panel works with no internet and no CDN.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './http.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export class StaticFiles {
  private readonly root: string;
  private readonly vendor: Map<string, string>;

  constructor(root = fileURLToPath(new URL('./public/', import.meta.url))) {
    this.root = resolve(root);
    const require = createRequire(import.meta.url);
    this.vendor = new Map([
      ['/vendor/uPlot.esm.js', require.resolve('uplot/dist/uPlot.esm.js')],
      ['/vendor/uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css')],
    ]);
  }

  /** Serves `pathname` if it names a file; returns false if there is no such file. */
  async serve(pathname: string, res: ServerResponse, head = false): Promise<boolean> {
    const file = this.locate(pathname);
    if (!file) return false;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return false;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      // The panel is often updated in place; revalidate rather than run yesterday's script.
      'Cache-Control': 'no-cache',
    });
    res.end(head ? undefined : body);
    return true;
  }

  private locate(pathname: string): string | undefined {
    const vendored = this.vendor.get(pathname);
    if (vendored) return vendored;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const file = resolve(join(this.root, decoded));
    // Never serve outside public/, whatever `..` or encoded slashes the path holds.
    if (!file.startsWith(this.root + sep)) return undefined;
    if (!(extname(file) in TYPES)) return undefined;
    return file;
  }
}
