/**
 * The agent's memory for health messages. process.memoryUsage() reads the resident size from
 * /proc, which needs a file handle: with every handle in use it throws EMFILE (issue #14), just
 * when the platform most needs to see the gateway. The heap figure comes from V8 without a file;
 * the resident size falls back to the last one read, and the reading says why it is old.
 */
import { getHeapStatistics } from 'node:v8';

export interface MemoryReading {
  rss: number;
  heapUsed: number;
  /** set when the resident size could not be read now: `rss` is then the last one read (0 if none) */
  rssError?: string;
}

export class MemoryGauge {
  private lastRss = 0;

  read(): MemoryReading {
    try {
      const m = process.memoryUsage();
      this.lastRss = m.rss;
      return { rss: m.rss, heapUsed: m.heapUsed };
    } catch (err) {
      return { rss: this.lastRss, heapUsed: getHeapStatistics().used_heap_size, rssError: (err as Error).message };
    }
  }
}
