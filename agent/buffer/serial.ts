/**
 * One SQLite connection, one queue: node-sqlite3 would otherwise interleave statements of
 * two async transactions on the same connection
 * (https://github.com/TryGhost/node-sqlite3/issues/1761; `serialize()` does not cover statements
 * issued from callbacks or awaits).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** resolves when everything queued so far has finished */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
