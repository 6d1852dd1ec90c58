/** Small helpers for node:http: JSON replies with a stable error shape, and a bounded JSON body reader. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request the server refuses; `code` is stable for the page to translate, `message` is for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** more fields of the reply, e.g. a record's refusal and its reason in both languages */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Headers on every reply: the page must not be framed (clickjacking of the action buttons) nor sniffed. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { ...err.extra, error: err.code, message: err.message }, err.headers);
}

/**
 * Reads a JSON request body of at most `limit` bytes. Anything but application/json is refused,
 * so a cross-site HTML form (which cannot send that type without a CORS preflight) never gets in.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
  }
  const text = (await readLimited(req, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'bad_json', 'request body is not valid JSON');
  }
}

/** Reads a request body of one of `types` (a photo) of at most `limit` bytes. */
export async function readRawBody(req: IncomingMessage, types: readonly string[], limit: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!types.includes(type)) {
    req.resume();
    throw new HttpError(415, 'unsupported_media_type', `request body must be ${types.join(' or ')}`);
  }
  return readLimited(req, limit);
}

/** The body whole, refused with 413 as soon as its declared or received size passes `limit`. */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// The connection is closed after a 413 so a client still sending a large body cannot hold it open.
function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'too_large', `request body must be at most ${limit} bytes`, { Connection: 'close' });
}

/** Parses the Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}
