/**
 * The JSON API of alarm handling feedback and cleaning check-ins, as the page and a site's own
 * tablet app use it: the presets, a record by code or in words, refusals with their reason in
 * both languages, junk, forged and replayed requests answered with nothing changed. The
 * workshop on real time; the sanding room last cleaned 10 h ago.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { getJson, login, newKey, post, type Login } from './harness.js';
import { hazardBoard, OPERATOR, SUPERVISOR } from './hazard-board.js';

type Board = Awaited<ReturnType<typeof hazardBoard>>;

describe('the feedback and cleaning API', () => {
  let b: Board;
  let op: Login;
  let sup: Login;

  beforeAll(async () => {
    b = await hazardBoard({ uncleanedForH: 10 });
    [op, sup] = await Promise.all([login(b, OPERATOR), login(b, SUPERVISOR)]);
  }, 30_000);
  afterAll(async () => {
    await b?.close();
  });

  const get = (path: string) => getJson(b, path);
  const changes = () => b.events.filter((e) => e.type === 'disposition' || e.type === 'cleaning').length;

  it('lists the presets and what waits, records feedback once, and refuses the rest with reasons', async () => {
    b.dp(2600);
    const occ = await waitFor('the high-high occurrence', () => b.dispositions.pending()[0]);
    const board = await get('/api/dispositions');
    expect(board.status).toBe(200);
    expect(board.body).toMatchObject({ withinMin: 30, overdue: 0, pending: [{ id: occ.id, state: 'pending' }] });
    expect((board.body['causes'] as { code: string }[]).map((c) => c.code)).toContain('bags-blinding');

    const path = `/api/dispositions/${encodeURIComponent(occ.id)}`;
    const before = changes();
    // no session, junk, unknown fields, a forged origin, no key, an unknown occurrence: nothing recorded
    expect(await post(b, path, { body: JSON.stringify({ cause: 'test', action: 'inspected' }) })).toMatchObject({ status: 401 });
    expect(await post(b, path, { session: op, body: '{"cause": ' })).toMatchObject({ status: 400 });
    expect(await post(b, path, { session: op, body: JSON.stringify({ cause: 'test', action: 'inspected', by: 'someone-else' }) })).toMatchObject({ status: 400, body: { error: 'invalid' } });
    expect(await post(b, path, { session: op, origin: 'http://evil.example', body: JSON.stringify({ cause: 'test', action: 'inspected' }) })).toMatchObject({ status: 403 });
    expect(await post(b, path, { session: op, key: null, body: JSON.stringify({ cause: 'test', action: 'inspected' }) })).toMatchObject({ status: 400 });
    expect(await post(b, '/api/dispositions/no-such-alarm', { session: op, body: JSON.stringify({ cause: 'test', action: 'inspected' }) })).toMatchObject({ status: 404, body: { refusal: 'unknown-occurrence' } });
    // "other" needs a note; an empty cause is refused in the operator's words
    expect(await post(b, path, { session: op, body: JSON.stringify({ cause: 'other', action: 'inspected' }) })).toMatchObject({ status: 400, body: { refusal: 'note-required', reason: { zh: '选择「其他」时请在备注中说明' } } });
    expect(await post(b, path, { session: op, body: JSON.stringify({ cause: ' ', action: 'inspected' }) })).toMatchObject({ status: 400, body: { refusal: 'cause-required' } });
    expect(changes()).toBe(before);
    expect(b.dispositions.pending()).toHaveLength(1);

    const key = newKey();
    const ok = await post(b, path, { session: op, key, body: JSON.stringify({ cause: 'bags-blinding', action: '更换了 3 条滤袋' }) });
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    // the same request again (a replay) and a second person's feedback: refused
    expect(await post(b, path, { session: op, key, body: JSON.stringify({ cause: 'bags-blinding', action: '更换了 3 条滤袋' }) })).toMatchObject({ status: 409, body: { error: 'replayed' } });
    expect(await post(b, path, { session: sup, body: JSON.stringify({ cause: 'test', action: 'inspected' }) })).toMatchObject({ status: 409, body: { refusal: 'already-recorded' } });
    const recorded = b.events.filter((e) => e.type === 'disposition');
    expect(recorded).toMatchObject([{ state: 'recorded', by: OPERATOR.name, cause: '滤袋堵塞', action: '更换了 3 条滤袋', detail: { presets: { cause: 'bags-blinding' } } }]);
    expect((await get('/api/dispositions')).body).toMatchObject({ pending: [], recent: [{ id: occ.id, state: 'recorded', by: OPERATOR.name }] });
  });

  it('checks an area in, with its history, and refuses an unknown area, a foreign photo and junk', async () => {
    const board = await get('/api/cleaning');
    expect(board).toMatchObject({ status: 200, body: { overdue: 1, areas: [{ id: 'sanding-room', state: 'overdue', clause: '粉尘-10' }] } });
    const before = changes();
    expect(await post(b, '/api/cleaning/paint-room/check-in', { session: op })).toMatchObject({ status: 404, body: { refusal: 'unknown-area' } });
    expect(await post(b, '/api/cleaning/sanding-room/check-in', {})).toMatchObject({ status: 401 });
    expect(await post(b, '/api/cleaning/sanding-room/check-in', { session: op, body: JSON.stringify({ photos: ['../../etc/passwd'] }) })).toMatchObject({ status: 400 });
    expect(await post(b, '/api/cleaning/sanding-room/check-in', { session: op, body: JSON.stringify({ photos: ['0123456789abcdef0123456789abcdef.png'] }) })).toMatchObject({ status: 400 });
    expect(await post(b, '/api/cleaning/sanding-room/check-in', { session: op, body: JSON.stringify({ note: 7 }) })).toMatchObject({ status: 400 });
    expect(changes()).toBe(before);

    expect(await post(b, '/api/cleaning/sanding-room/check-in', { session: op, body: JSON.stringify({ note: '已清扫' }) })).toMatchObject({ status: 200, body: { ok: true, area: { state: 'ok', lastBy: OPERATOR.name } } });
    const area = await get('/api/cleaning/sanding-room');
    expect(area).toMatchObject({ status: 200, body: { area: { state: 'ok' }, history: [{ state: 'done', by: OPERATOR.name }, { state: 'overdue', by: 'gateway' }] } });
    expect((await get('/api/cleaning/paint-room')).status).toBe(404);
  });

  it('answers 404 where the site has neither', async () => {
    const plain = await hazardBoard();
    try {
      expect((await fetch(`${plain.base}/api/cleaning`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
