/**
 * Hebei V1.1 as a Province: the envelope `{qybm, wgbm, data}` with `data` DES-encrypted
 * (cipher.ts), rtsData and eventsData built by payloads.ts, success only on `{"code":200}`.
 */
import { readFile } from 'node:fs/promises';
import type { PlantEvent } from '../../core/types.js';
import type { PeriodValue, Province, ProvincialRequest } from '../provincial/province.js';
import { HebeiCipher } from './cipher.js';
import { chinaTime } from './china-time.js';
import type { HebeiConfig } from './config.js';
import { eventsPayload, hebeiEvent, rtsPayload, type HebeiEvent, type HebeiPoint } from './payloads.js';

export class HebeiProvince implements Province {
  readonly name = 'hebei';
  readonly baseUrl: string;
  readonly periodMs: number;
  readonly points: readonly string[];
  private cipher: HebeiCipher | undefined;

  /** `periodMs` overrides `periodSeconds` (tests only: the schema keeps the site file at 5..300 s) */
  constructor(
    private readonly cfg: HebeiConfig,
    private readonly mapped: ReadonlyMap<string, HebeiPoint>,
    periodMs?: number,
  ) {
    this.baseUrl = cfg.baseUrl;
    this.periodMs = periodMs ?? cfg.periodSeconds * 1000;
    this.points = [...mapped.keys()];
  }

  /** reads the key file: 8 ASCII characters, surrounding white space (a trailing newline) ignored */
  async prepare(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.cfg.keyFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the DES key file ${this.cfg.keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
    const key = text.trim();
    if (!/^[\x20-\x7e]{8}$/.test(key)) throw new Error(`the DES key file ${this.cfg.keyFile} must hold exactly 8 ASCII characters (it holds ${key.length} characters)`);
    this.cipher = new HebeiCipher(key, this.cfg.iv);
  }

  periodRequest(boundaryMs: number, values: PeriodValue[]): ProvincialRequest {
    const plain = rtsPayload(this.cfg.qybm, boundaryMs, values, this.mapped);
    return { path: '/api/rtsData', body: this.envelope(plain), summary: { ts: chinaTime(boundaryMs), values: plain.data.rts.length } };
  }

  eventsRequest(events: PlantEvent[]): ProvincialRequest | undefined {
    const out: HebeiEvent[] = [];
    for (const e of events) {
      const h = hebeiEvent(e, this.mapped, this.cfg.scd);
      if (h) out.push(h);
    }
    if (out.length === 0) return undefined;
    return { path: '/api/eventsData', body: this.envelope(eventsPayload(this.cfg.qybm, out)), summary: { events: out.length, first: out[0]!.ts } };
  }

  accepted(status: number, body: string): boolean {
    if (status < 200 || status > 299) return false;
    try {
      return (JSON.parse(body) as { code?: unknown }).code === 200;
    } catch {
      return false;
    }
  }

  private envelope(plain: object): string {
    if (!this.cipher) throw new Error('the DES key has not been read yet');
    return JSON.stringify({ qybm: this.cfg.qybm, wgbm: this.cfg.wgbm, data: this.cipher.encrypt(JSON.stringify(plain)) });
  }
}
