/**
 * Pushes plant snapshots to open pages as server-sent events: a full snapshot on connect, then one
 * on every model change, coalesced to at most one per 200 ms (5 per second) so a burst of samples
 * does not flood a touch panel, and never later than 200 ms after the change that caused it.
 * Some of what the page shows moves without a plant change (an uplink backlog draining, bus
 * counters on a quiet plant), so the snapshot is also looked at every second and sent if it differs.
 * With no page open none of this runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { SECURITY_HEADERS } from './http.js';
import type { PlantModel } from './model.js';

export interface StreamSettings {
  minIntervalMs: number;
  heartbeatMs: number;
  maxClients: number;
  /** a client whose unsent output grows past this is dropped rather than buffered without end */
  maxBacklogBytes: number;
  /** how often the snapshot is compared with the last one sent, for changes nobody announced */
  refreshMs: number;
}

export const DEFAULT_STREAM: StreamSettings = { minIntervalMs: 200, heartbeatMs: 10_000, maxClients: 32, maxBacklogBytes: 1 << 20, refreshMs: 1000 };

export class SnapshotStream {
  private readonly clients = new Set<ServerResponse>();
  private pending: Timer | undefined;
  private lastSent = -Infinity;
  private seq = 0;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: Timer | undefined;
  private refresh: Timer | undefined;
  /** the last snapshot sent, without its time, to tell whether anything changed since */
  private lastContent = '';

  constructor(
    private readonly model: PlantModel,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly settings: StreamSettings = DEFAULT_STREAM,
  ) {}

  start(): void {
    this.unsubscribe = this.model.onChange(() => this.changed());
  }

  /**
   * The periodic work runs only while a page is open: a gateway nobody looks at is woken by
   * its polls, not by its operator page (each wake-up costs ~0.1 ms of CPU on a small gateway).
   */
  private watchPages(): void {
    if (this.heartbeat) return;
    // The comment line keeps proxies and NAT from closing an idle stream; the event lets the page
    // notice a silently dead link (a pulled cable sends no FIN) and show its connection banner.
    this.heartbeat = this.clock.setInterval(() => this.broadcast(`: heartbeat\nevent: heartbeat\ndata: ${this.clock.now()}\n\n`), this.settings.heartbeatMs);
    this.refresh = this.clock.setInterval(() => this.refreshIfChanged(), this.settings.refreshMs);
  }

  private unwatchPages(): void {
    this.heartbeat?.cancel();
    this.refresh?.cancel();
    this.heartbeat = undefined;
    this.refresh = undefined;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unwatchPages();
    this.pending?.cancel();
    this.pending = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Returns false (and answers 503) when too many pages are open. */
  add(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clients.size >= this.settings.maxClients) return false;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Reconnect after 2 s rather than the browser's default 3 s.
    res.write('retry: 2000\n\n');
    // Not recorded as sent: the other pages may not have seen this state yet, the next refresh tells them.
    res.write(this.frame('detached'));
    this.clients.add(res);
    req.on('close', () => this.remove(res));
    this.watchPages();
    return true;
  }

  /** A page gone (closed, or dropped for falling behind); the last one takes the periodic work with it. */
  private remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0) this.unwatchPages();
  }

  private changed(): void {
    // with no page open there is nobody to tell; a page that opens gets the whole snapshot at once
    if (this.pending || this.clients.size === 0) return;
    const wait = Math.max(0, this.lastSent + this.settings.minIntervalMs - this.clock.monotonic());
    this.pending = this.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.pending = undefined;
    this.lastSent = this.clock.monotonic();
    if (this.clients.size === 0) return;
    this.broadcast(this.frame());
  }

  private refreshIfChanged(): void {
    if (this.clients.size === 0 || this.pending) return;
    const frame = this.frame('ifChanged');
    if (!frame) return;
    this.lastSent = this.clock.monotonic();
    this.broadcast(frame);
  }

  /**
   * The snapshot as an event, recorded as sent to every page; `ifChanged`: '' when it equals the
   * last one sent but for its time; `detached`: for one new page only, not recorded.
   */
  private frame(mode: 'all' | 'ifChanged' | 'detached' = 'all'): string {
    let json: string;
    try {
      const { t, ...content } = this.model.snapshot();
      const body = JSON.stringify(content);
      if (mode === 'ifChanged' && body === this.lastContent) return '';
      if (mode !== 'detached') this.lastContent = body;
      json = `{"t":${JSON.stringify(t)},${body.slice(1)}`;
    } catch (err) {
      this.log.error({ err }, 'snapshot failed');
      return '';
    }
    this.seq += 1;
    return `event: snapshot\nid: ${this.seq}\ndata: ${json}\n\n`;
  }

  private broadcast(text: string): void {
    if (!text) return;
    for (const res of this.clients) {
      if (res.writableLength > this.settings.maxBacklogBytes) {
        this.log.warn({ backlog: res.writableLength }, 'dropping a slow event-stream client');
        this.remove(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}
