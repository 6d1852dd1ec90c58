/**
 * The before-shift briefing (报表 tab, /api/briefing) lists the work tickets not yet closed,
 * as issue #18 asks ("open hazards and tickets"): opened here, closed, and gone from it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hazardBoard } from '../hmi/hazard-board.js';

let b: Awaited<ReturnType<typeof hazardBoard>>;
beforeAll(async () => {
  b = await hazardBoard({ digests: true, tickets: true });
});
afterAll(async () => b?.close());

const briefing = async () => (await (await fetch(`${b.base}/api/briefing`)).json()) as { tickets: { id: string; place: string; state: string; inside: number }[] };
const sup = { user: '王主管', role: 'supervisor' } as const;

it('lists the tickets not yet closed, with their place and who is inside', async () => {
  expect((await briefing()).tickets).toEqual([]);
  await b.tickets!.ledger.add('赵监护', [], 'test', Date.now());
  await b.tickets!.ledger.add('钱一', [], 'test', Date.now());
  const r = await b.tickets!.openEntry({ space: 'hopper1', work: '清理灰斗积灰', inCharge: '王主管', attendant: '赵监护', entrants: ['钱一'] }, sup);
  if (!r.ok) throw new Error(r.reason.en);
  expect((await briefing()).tickets).toEqual([{ id: r.ticket.id, kind: 'confined_space', place: '1号除尘器灰斗', state: 'opened', inside: 0 }]);
  expect(await b.tickets!.act(r.ticket.id, { kind: 'close' }, sup)).toMatchObject({ ok: true });
  expect((await briefing()).tickets).toEqual([]);
});
