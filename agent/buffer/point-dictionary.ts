/**
 * Point ids as small numbers inside stored data batches. The mapping lives in the buffer file
 * (table `points`, one row the first time a point is seen, never deleted) and in memory.
 * Numbers handed out in a transaction that rolls back are taken back, so the file and the
 * memory never disagree.
 */
export class PointDictionary {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [];
  /** `{"p":"<id>","t":` in UTF-8 per point, made on first use (writeSamplesJson) */
  private readonly opening: Buffer[] = [];
  private added: { idx: number; id: string }[] = [];

  constructor(rows: readonly { idx: number; id: string }[] = []) {
    for (const r of rows) {
      this.byId.set(r.id, r.idx);
      this.ids[r.idx] = r.id;
    }
  }

  /** the number of a point, handing out the next one for a point not seen before */
  index(id: string): number {
    const have = this.byId.get(id);
    if (have !== undefined) return have;
    const idx = this.ids.length;
    this.byId.set(id, idx);
    this.ids[idx] = id;
    this.added.push({ idx, id });
    return idx;
  }

  id(idx: number): string {
    const id = this.ids[idx];
    if (id === undefined) throw new Error(`unknown point number ${idx} in a stored batch`);
    return id;
  }

  /** a sample's JSON up to its time, `{"p":"<id>","t":`, in UTF-8 (the id quoted and escaped) */
  sampleOpening(idx: number): Buffer {
    return (this.opening[idx] ??= Buffer.from(`{"p":${JSON.stringify(this.id(idx))},"t":`));
  }

  /** numbers handed out since the last call: the caller writes them in the same transaction */
  takeAdded(): { idx: number; id: string }[] {
    const a = this.added;
    this.added = [];
    return a;
  }

  /** the transaction that would have written these rolled back */
  forget(entries: readonly { idx: number; id: string }[]): void {
    for (const e of [...entries].reverse()) {
      this.byId.delete(e.id);
      delete this.opening[e.idx];
      if (this.ids.length === e.idx + 1) this.ids.length = e.idx;
      else delete this.ids[e.idx];
    }
  }
}
