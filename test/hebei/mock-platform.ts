/**
 * A mock of the Hebei V1.1 platform on node:http: it decrypts every request, checks every field
 * (qybm, wgbm, tnm, ts, val, oname, avx, scd, threshold, content), records what it took, and
 * answers `{"code":200,"msg":"操作成功","data":null}`. Switches make it misbehave: refuse
 * connections (nothing listening), close them without an answer, hold the answer until the mode
 * changes again (slow: past any deadline of the gateway), or answer 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HebeiCipher } from '../../agent/uplink/hebei/cipher.js';

export type PlatformMode = 'ok' | 'refuse' | 'close' | 'slow' | 'code500';

export interface RtsItem {
  tnm: string;
  ts: string;
  val: string;
}
export interface EventItem {
  ts: string;
  oname: string;
  avx: string;
  scd: number;
  threshold: number;
  content: string;
}

export interface MockPlatformOptions {
  key: string;
  iv?: string;
  qybm: string;
  wgbm: string;
  /** every tnm the platform issued to this gateway */
  tnms: string[];
  /** the scd codes it knows */
  scds?: number[];
}

const TS = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

export class MockPlatform {
  /** every rtsData it took, in arrival order */
  readonly rts: { items: RtsItem[]; at: number }[] = [];
  /** every eventsData it took, in arrival order */
  readonly events: { items: EventItem[]; at: number }[] = [];
  /** requests it refused because a field was wrong: should stay empty */
  readonly problems: string[] = [];
  /** every request that reached it, including the ones it failed on purpose */
  requests = 0;
  mode: PlatformMode = 'ok';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly cipher: HebeiCipher;
  /** the requests held in 'slow' mode, released when the mode changes */
  private held: (() => void)[] = [];

  private constructor(
    private readonly o: MockPlatformOptions,
    readonly port: number,
  ) {
    this.cipher = new HebeiCipher(o.key, o.iv);
  }

  static async start(o: MockPlatformOptions, port = 0): Promise<MockPlatform> {
    const p = new MockPlatform(o, port);
    await p.listen(port);
    return p;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/rabbitmqfcsb`;
  }

  /** every value it took, flattened, in arrival order */
  allRts(): RtsItem[] {
    return this.rts.flatMap((r) => r.items);
  }

  allEvents(): EventItem[] {
    return this.events.flatMap((r) => r.items);
  }

  async setMode(mode: PlatformMode): Promise<void> {
    const was = this.mode;
    this.mode = mode;
    if (mode !== 'slow') for (const go of this.held.splice(0)) go();
    if (mode === 'refuse' && was !== 'refuse') await this.unlisten();
    if (mode !== 'refuse' && was === 'refuse') await this.listen(this.port);
  }

  async close(): Promise<void> {
    for (const go of this.held.splice(0)) go();
    await this.unlisten();
  }

  private async listen(port: number): Promise<void> {
    const s = createServer((req, res) => void this.handle(req, res));
    s.on('connection', (sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      if (this.mode === 'close') sock.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = s;
    const addr = s.address();
    if (typeof addr === 'object' && addr) (this as { port: number }).port = addr.port;
  }

  private async unlisten(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const answer = (code: number, msg: string) => {
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify({ code, msg, data: null }));
    };
    if (this.mode === 'close') return void req.socket.destroy();
    if (this.mode === 'code500') return answer(500, '服务器内部错误');
    if (this.mode === 'slow') await new Promise<void>((go) => this.held.push(go));
    if (res.destroyed) return;
    const problem = (what: string) => {
      this.problems.push(`${req.url}: ${what}`);
      answer(500, what);
    };
    if (req.method !== 'POST') return problem(`method ${req.method}`);
    const kind = req.url === '/rabbitmqfcsb/api/rtsData' ? 'rts' : req.url === '/rabbitmqfcsb/api/eventsData' ? 'events' : undefined;
    if (!kind) return problem('unknown path');
    let env: { qybm?: unknown; wgbm?: unknown; data?: unknown };
    try {
      env = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof env;
    } catch {
      return problem('body is not JSON');
    }
    if (env.qybm !== this.o.qybm) return problem(`qybm ${String(env.qybm)}`);
    if (env.wgbm !== this.o.wgbm) return problem(`wgbm ${String(env.wgbm)}`);
    if (typeof env.data !== 'string') return problem('data is not a string');
    let plain: { qybm?: unknown; data?: { rts?: unknown; events?: unknown } };
    try {
      plain = JSON.parse(this.cipher.decrypt(env.data)) as typeof plain;
    } catch (err) {
      return problem(`DES解密失败: ${(err as Error).message}`);
    }
    if (plain.qybm !== this.o.qybm) return problem(`plain qybm ${String(plain.qybm)}`);
    const at = Date.now();
    if (kind === 'rts') {
      const items = plain.data?.rts;
      if (!Array.isArray(items) || items.length === 0) return problem('rts is not a non-empty list');
      for (const it of items as Record<string, unknown>[]) {
        const bad = this.checkRts(it);
        if (bad) return problem(`rts item ${JSON.stringify(it)}: ${bad}`);
      }
      this.rts.push({ items: items as RtsItem[], at });
    } else {
      const items = plain.data?.events;
      if (!Array.isArray(items) || items.length === 0) return problem('events is not a non-empty list');
      for (const it of items as Record<string, unknown>[]) {
        const bad = this.checkEvent(it);
        if (bad) return problem(`event ${JSON.stringify(it)}: ${bad}`);
      }
      this.events.push({ items: items as EventItem[], at });
    }
    answer(200, '操作成功');
  }

  private checkTnm(tnm: unknown): string | undefined {
    if (typeof tnm !== 'string' || !/^\d{19}$/.test(tnm)) return 'not 19 digits';
    if (!tnm.startsWith(this.o.qybm)) return 'does not start with qybm';
    if (!this.o.tnms.includes(tnm)) return 'not issued to this gateway';
    return undefined;
  }

  private checkRts(it: Record<string, unknown>): string | undefined {
    const keys = Object.keys(it).sort().join(',');
    if (keys !== 'tnm,ts,val') return `fields ${keys}`;
    const tnm = this.checkTnm(it.tnm);
    if (tnm) return `tnm ${tnm}`;
    if (typeof it.ts !== 'string' || !TS.test(it.ts)) return 'ts is not yyyy-MM-dd HH:mm:ss';
    if (typeof it.val !== 'string' || !DECIMAL.test(it.val)) return 'val is not a decimal string';
    return undefined;
  }

  private checkEvent(it: Record<string, unknown>): string | undefined {
    const keys = Object.keys(it).sort().join(',');
    if (keys !== 'avx,content,oname,scd,threshold,ts') return `fields ${keys}`;
    const tnm = this.checkTnm(it.oname);
    if (tnm) return `oname ${tnm}`;
    if (typeof it.ts !== 'string' || !TS.test(it.ts)) return 'ts is not yyyy-MM-dd HH:mm:ss';
    if (typeof it.avx !== 'string' || !/^-?\d+\.\d{4}$/.test(it.avx)) return 'avx is not a decimal string with 4 decimals';
    if (typeof it.scd !== 'number' || !(this.o.scds ?? [0, 1, 2, 3, 4]).includes(it.scd)) return `scd ${String(it.scd)}`;
    if (typeof it.threshold !== 'number' || !Number.isFinite(it.threshold)) return 'threshold is not a number';
    if (typeof it.content !== 'string' || it.content.trim() === '') return 'content is empty (mandatory in V1.1)';
    return undefined;
  }
}
