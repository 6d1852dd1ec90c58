import { describe, expect, it } from 'vitest';
import type { Sample } from '../../agent/core/types.js';
import { decodeData, encodeData, writeDataJson } from '../../agent/buffer/codec.js';
import { JsonBytes } from '../../agent/buffer/json-bytes.js';
import { PointDictionary } from '../../agent/buffer/point-dictionary.js';
import { COMPACT } from '../../agent/buffer/sample-codec.js';

const T0 = Date.UTC(2026, 5, 21, 8, 0, 0);

function roundTrip(samples: Sample[], created = T0 + 250): { back: Sample[]; bytes: number; compact: boolean } {
  const dict = new PointDictionary();
  const body = encodeData(samples, created, dict);
  // decoded with a dictionary rebuilt from what would have been written to the file
  const stored = new PointDictionary(dict.takeAdded());
  return { back: decodeData(body, created, stored), bytes: body.length, compact: body[0] === COMPACT };
}

describe('stored data batches', () => {
  it('give back every reading of a collector poll exactly, in a fraction of the JSON size', () => {
    const names = ['dp', 'hopperTemp', 'inletTemp', 'conc', 'fanCurrent'];
    const samples: Sample[] = [];
    for (let poll = 0; poll < 5; poll++) for (const n of names) samples.push({ p: `dc1.${n}`, t: T0 + poll * 50, v: 800 + poll * 0.1 + names.indexOf(n), q: 'good' });
    const r = roundTrip(samples);
    expect(r.compact).toBe(true);
    expect(r.back).toEqual(samples);
    expect(r.bytes).toBeLessThan(JSON.stringify(samples).length / 10);
  });

  it('keep contacts, missing values, every quality, unsynced times, negative and odd numbers as they were', () => {
    const samples: Sample[] = [
      { p: 'spark1', t: T0, v: true, q: 'good' },
      { p: 'spark1', t: T0 + 3, v: false, q: 'good', tq: 'unsynced' },
      { p: 'dc1.hopperTemp', t: T0 - 5000, v: null, q: 'comm' },
      { p: 'dc1.dp', t: T0 + 1, v: -12.5, q: 'uncertain' },
      { p: 'dc1.dp', t: T0 + 1, v: 0.1 + 0.2, q: 'bad' },
      { p: 'ds1.conc', t: T0 + 2, v: 3.2100000381469727, q: 'stale' },
      { p: 'ds1.conc', t: T0 + 2, v: 1e-9, q: 'good' },
      { p: 'ds1.conc', t: T0 + 2, v: 2 ** 60, q: 'good' },
      { p: 'ds1.conc', t: T0 + 2, v: -0, q: 'good' },
      { p: 'dc2.dp', t: T0 + 2, v: 812, q: 'good' },
      { p: 'dc2.dp', t: T0 + 2, v: -7, q: 'good' },
      { p: 'dc3.dp', t: T0 + 2, v: -8, q: 'good' },
    ];
    const r = roundTrip(samples);
    expect(r.compact).toBe(true);
    expect(r.back).toEqual(samples);
    expect(Object.is(r.back[8]!.v, -0)).toBe(true);
    expect(r.back.map((s) => Object.keys(s).includes('tq'))).toEqual(samples.map((s) => 'tq' in s));
  });

  it('fall back to JSON for a sample the compact form cannot carry, and still give it back', () => {
    const odd = [{ p: 'dc1.dp', t: T0 + 0.5, v: 1, q: 'good' } as Sample, { p: 'dc1.dp', t: T0, v: 1, q: 'good', note: 'x' } as unknown as Sample];
    for (const s of odd) {
      const r = roundTrip([s]);
      expect(r.compact).toBe(false);
      expect(r.back).toEqual([s]);
    }
  });

  it('give the uplink the very JSON their samples make, straight from the stored bytes, odd ids and values included', () => {
    const batches: Sample[][] = [
      [
        { p: 'spark1', t: T0, v: true, q: 'good' },
        { p: 'spark1', t: T0 + 3, v: false, q: 'good', tq: 'unsynced' },
        { p: 'dc1.hopperTemp', t: T0 - 5000, v: null, q: 'comm' },
        { p: 'dc1."dp"\\ 差压', t: T0 + 1, v: -12.5, q: 'uncertain' },
        { p: 'dc1.dp', t: T0 + 1, v: 0.1 + 0.2, q: 'bad' },
        { p: 'ds1.conc', t: T0 + 2, v: 3.2100000381469727, q: 'stale', tq: 'unsynced' },
        { p: 'ds1.conc', t: T0 + 2, v: 1e-9, q: 'good' },
        { p: 'ds1.conc', t: T0 + 2, v: 2 ** 60, q: 'good' },
        { p: 'ds1.conc', t: T0 + 2, v: -0, q: 'good' },
      ],
      // a device poll: a run of plain readings at one time
      ['a', 'b', 'c', 'd'].map((n, i) => ({ p: `dc1.${n}`, t: T0 + 7, v: 800 + i * 0.5, q: 'good' as const })),
      // the compact form cannot carry a fractional time: stored as deflated JSON
      [{ p: 'dc1.dp', t: T0 + 0.5, v: 1, q: 'good' }],
    ];
    for (const samples of batches) {
      const dict = new PointDictionary();
      const body = encodeData(samples, T0, dict);
      const stored = new PointDictionary(dict.takeAdded());
      const out = new JsonBytes(16); // small, so that it has to grow
      writeDataJson(out, body, T0, stored);
      const json = out.take().toString('utf8');
      expect(json).toBe(JSON.stringify(decodeData(body, T0, stored)));
      expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(samples)));
    }
  });

  it('a point numbered in a batch that was never committed is taken back', () => {
    const dict = new PointDictionary([{ idx: 0, id: 'dc1.dp' }]);
    encodeData([{ p: 'dc9.dp', t: T0, v: 1, q: 'good' }], T0, dict);
    dict.forget(dict.takeAdded());
    encodeData([{ p: 'dc8.dp', t: T0, v: 1, q: 'good' }], T0, dict);
    expect(dict.takeAdded()).toEqual([{ idx: 1, id: 'dc8.dp' }]);
  });
});
