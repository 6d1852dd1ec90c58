/**
 * The tickets' JSON API against what a browser may post: junk, a forged role, a replay, a
 * second tap, a step out of order, a space that does not exist, an attendant who is also an
 * entrant, an expired certificate. Each is refused with the reason named, and nothing changes:
 * no ticket, no event, the ledger as it was.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hazardBoard } from './hazard-board.js';
import { login, newKey, OPERATOR, post, SUPERVISOR, type Login } from './harness.js';

let b: Awaited<ReturnType<typeof hazardBoard>>;
let sup: Login;
let op: Login;
beforeAll(async () => {
  b = await hazardBoard({ tickets: true });
  [sup, op] = [await login(b, SUPERVISOR), await login(b, OPERATOR)];
  await b.tickets!.ledger.add('赵监护', [], 'test', Date.now());
  await b.tickets!.ledger.add('钱一', [], 'test', Date.now());
  await b.tickets!.ledger.add('周焊工', [{ type: '焊接与热切割作业', number: 'T1', authority: '应急管理局', expires: Date.now() - 3_600_000 }], 'test', Date.now());
});
afterAll(async () => b?.close());

const entry = (o: Record<string, unknown> = {}) => JSON.stringify({ kind: 'confined_space', space: 'hopper1', work: '清理灰斗', attendant: '赵监护', entrants: ['钱一'], ...o });
const ticketEvents = () => b.events.filter((e) => e.type === 'ticket');

it('refuses junk, a forged role and unknown fields before anything is looked at', async () => {
  expect(await post(b, '/api/tickets', { session: sup, body: 'not json' })).toMatchObject({ status: 400 });
  expect(await post(b, '/api/tickets', { session: sup, body: entry({ admin: true }) })).toMatchObject({ status: 400, body: { message: 'unknown field(s): admin' } });
  expect(await post(b, '/api/tickets', { session: sup, body: entry({ entrants: 'everyone' }) })).toMatchObject({ status: 400 });
  expect(await post(b, '/api/tickets', { session: op, body: entry() })).toMatchObject({ status: 403 });
  expect(await post(b, '/api/tickets', { body: entry() })).toMatchObject({ status: 401 });
  expect(await post(b, '/api/tickets', { session: sup, csrf: 'forged', body: entry() })).toMatchObject({ status: 403 });
  expect(await post(b, '/api/tickets', { session: sup, body: entry({ space: 'nowhere' }) })).toMatchObject({ status: 404, body: { message: 'no confined space nowhere in the site file' } });
  expect(b.tickets!.list()).toEqual([]);
  expect(ticketEvents()).toEqual([]);
});

it('refuses an attendant who is also an entrant, with the reason on record, and a replay of a good open', async () => {
  const twice = await post(b, '/api/tickets', { session: sup, body: entry({ entrants: ['赵监护'] }) });
  expect(twice).toMatchObject({ status: 400, body: { refusal: 'attendant-entrant', reason: { zh: '监护人 赵监护 不能同时作为作业人员' } } });
  const key = newKey();
  const ok = await post(b, '/api/tickets', { session: sup, key, body: entry() });
  expect(ok.status).toBe(200);
  expect(await post(b, '/api/tickets', { session: sup, key, body: entry() })).toMatchObject({ status: 409, body: { error: 'replayed' } });
  expect(b.tickets!.list().filter((t) => t.state !== 'refused')).toHaveLength(1);
  const id = (ok.body as unknown as { ticket: { id: string } }).ticket.id;
  // a second ticket on the same space is refused while the first is open
  expect(await post(b, '/api/tickets', { session: sup, body: entry() })).toMatchObject({ status: 409, body: { refusal: 'space-busy' } });
  // out of order: nobody may enter before the checks; an operator may not close
  expect(await post(b, `/api/tickets/${id}/enter`, { session: op, body: JSON.stringify({ person: '钱一' }) })).toMatchObject({ status: 409, body: { refusal: 'wrong-state' } });
  expect(await post(b, `/api/tickets/${id}/close`, { session: op })).toMatchObject({ status: 403 });
  expect(await post(b, `/api/tickets/${id}/test`, { session: op, body: JSON.stringify({ portable: { o2: 'lots' } }) })).toMatchObject({ status: 400 });
  expect(await post(b, `/api/tickets/${encodeURIComponent('ZY-nope')}/test`, { session: op })).toMatchObject({ status: 404 });
  expect(b.tickets!.get(id)).toMatchObject({ state: 'opened', inside: [] });
  expect(await post(b, `/api/tickets/${id}/close`, { session: sup })).toMatchObject({ status: 200 });
});

it('refuses hot work for a worker whose certificate has expired, naming it', async () => {
  const r = await post(b, '/api/tickets', { session: sup, body: JSON.stringify({ kind: 'hot_work', space: 'sanding-room-hot-work', work: '补焊风管', worker: '周焊工' }) });
  expect(r).toMatchObject({ status: 409, body: { refusal: 'certificate-expired', reason: { en: "周焊工's 焊接与热切割作业 certificate has expired" } } });
  expect(ticketEvents().at(-1)).toMatchObject({ kind: 'hot_work', state: 'refused', detail: { refusal: 'certificate-expired' } });
});

it('manages the ledger for supervisors only, refusing a bad date and a person on an open ticket', async () => {
  expect(await post(b, '/api/people', { session: op, body: JSON.stringify({ name: '孙二' }) })).toMatchObject({ status: 403 });
  expect(await post(b, '/api/people', { session: sup, body: JSON.stringify({ name: '孙二', certificates: [{ type: '焊接', number: '1', authority: 'x', expires: 'tomorrow' }] }) })).toMatchObject({ status: 400 });
  expect(await post(b, '/api/people', { session: sup, body: JSON.stringify({ name: '孙二', certificates: [{ type: '焊接', number: '1', authority: 'x', expires: '2031-02-30' }] }) })).toMatchObject({ status: 400 });
  expect(await post(b, '/api/people', { session: sup, body: JSON.stringify({ name: '孙二', certificates: [{ type: '焊接', number: '1', authority: 'x', expires: '2031-02-28' }] }) })).toMatchObject({ status: 200 });
  const open = await post(b, '/api/tickets', { session: sup, body: entry({ entrants: ['孙二'] }) });
  expect(open.status).toBe(200);
  expect(await post(b, `/api/people/${encodeURIComponent('孙二')}/remove`, { session: sup })).toMatchObject({ status: 409, body: { refusal: 'on-open-ticket' } });
  const csv = await (await fetch(`${b.base}/api/people.csv`)).text();
  expect(csv).toContain('孙二,焊接,1,x,2031-02-28,valid');
});
