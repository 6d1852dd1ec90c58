/**
 * One SQLite connection, one queue: node-sqlite3 would otherwise interleave statements of
 * two async transactions on the same connection.
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
