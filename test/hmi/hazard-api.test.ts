/**
 * The hidden-hazard board's JSON API, as the page and a site's own tablet app use it: roles,
 * refusals with their reason in both languages, junk bodies answered 400 with nothing changed,
 * replays refused, photos checked by their bytes. The workshop's airlock rule on real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { schemaProblems } from '../uplink/schemas.js';
import { getJson, login, newKey, post, type Login } from './harness.js';
import { hazardBoard, OPERATOR, SUPERVISOR, SUPERVISOR2 } from './hazard-board.js';

const HOUR = 3_600_000;
type Board = Awaited<ReturnType<typeof hazardBoard>>;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f2e8b00000000049454e44ae426082', 'hex');

describe('the hazard board API', () => {
  let b: Board;
  let op: Login;
  let sup: Login;
  let sup2: Login;

  beforeAll(async () => {
    b = await hazardBoard();
    [op, sup, sup2] = await Promise.all([login(b, OPERATOR), login(b, SUPERVISOR), login(b, SUPERVISOR2)]);
  }, 30_000);
  afterAll(async () => {
    await b?.close();
  });

  const get = (path: string) => getJson(b, path);
  const refusal = (r: { body: unknown }) => r.body as { error: string; refusal?: string; reason?: { zh: string; en: string } };

  it('takes a rule-found record through assign, a refused rectify, rectify and close; each change an event the schema allows', async () => {
    b.airlock(false);
    const found = await waitFor('the airlock record', () => b.model.snapshot().hazards!.records.find((r) => r.rule === 'airlock-stopped'));
    const board = await get('/api/hazards');
    expect(board).toMatchObject({ status: 200, body: { openMajor: 1, open: 1 } });
    const path = `/api/hazards/${found.id}`;

    expect(await post(b, `${path}/assign`, { session: op, body: JSON.stringify({ assignee: OPERATOR.name }) })).toMatchObject({ status: 403, body: { error: 'role' } });
    const before = Date.now();
    const assigned = await post(b, `${path}/assign`, { session: sup, body: JSON.stringify({ assignee: OPERATOR.name }) });
    expect(assigned.status).toBe(200);
    // no deadline given: the rule's rectifyWithinH, 24 h from now
    const due = b.hazards.records.get(found.id)!.due!;
    expect(due).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect(due).toBeLessThanOrEqual(Date.now() + 24 * HOUR);

    const early = await post(b, `${path}/rectify`, { session: op, body: JSON.stringify({ note: '更换电机' }) });
    expect(early.status).toBe(409);
    expect(refusal(early)).toMatchObject({ error: 'refused', refusal: 'condition-present', reason: { zh: '网关仍检测到该隐患条件，不能提交整改' } });
    expect(await post(b, `${path}/rectify`, { session: sup, body: JSON.stringify({ note: '我来修' }) })).toMatchObject({ status: 403, body: { refusal: 'not-assignee' } });
    expect(b.hazards.records.get(found.id)!.state).toBe('assigned');

    b.airlock(true);
    await waitFor('the valve seen running', () => !b.hazards.present('airlock-stopped'));
    expect(await post(b, `${path}/rectify`, { session: op, body: JSON.stringify({ note: '更换电机，试运行正常' }) })).toMatchObject({ status: 200, body: { ok: true, record: { state: 'rectified' } } });
    expect(await post(b, `${path}/reject`, { session: sup, body: '{}' })).toMatchObject({ status: 400, body: { error: 'invalid' } });
    expect(await post(b, `${path}/close`, { session: sup2 })).toMatchObject({ status: 200, body: { record: { state: 'closed' } } });
    expect(await post(b, `${path}/close`, { session: sup })).toMatchObject({ status: 409, body: { refusal: 'wrong-state' } });

    const history = await get(path);
    expect((history.body.history as { state: string; by: string }[]).map((c) => [c.state, c.by])).toEqual([
      ['found', 'gateway'],
      ['assigned', SUPERVISOR.name],
      ['rectified', OPERATOR.name],
      ['closed', SUPERVISOR2.name],
    ]);
    expect((await get('/api/hazards')).body).toMatchObject({ openMajor: 0, closedToday: 1 });
    expect(schemaProblems({ kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: b.events })).toEqual([]);
  });

  it('takes a finding a person enters, with a photo checked by its bytes, and refuses a verify by the rectifier', async () => {
    const upload = (bytes: Buffer, type: string, session = op) =>
      fetch(`${b.base}/api/hazards/photos`, { method: 'POST', headers: { 'Content-Type': type, Origin: b.origin, Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'Idempotency-Key': newKey() }, body: new Uint8Array(bytes) });
    const fake = await upload(Buffer.from('<html>not a photo</html>'), 'image/png');
    expect(fake.status).toBe(415);
    expect(await fake.json()).toMatchObject({ refusal: 'not-an-image' });
    const photo = (await (await upload(PNG, 'image/png')).json()) as { photo: string };
    expect(photo.photo).toMatch(/^[0-9a-f]{24}\.png$/);
    const back = await fetch(`${b.base}/api/hazards/photos/${photo.photo}`);
    expect(back.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await back.arrayBuffer())).toEqual(PNG);

    expect(await post(b, '/api/hazards', { session: op, body: JSON.stringify({ clause: '粉尘-3', grade: 'general', title: '泄爆片锈蚀', photos: ['0123456789abcdef01234567.jpg'] }) })).toMatchObject({ status: 400, body: { error: 'invalid' } });
    const made = await post(b, '/api/hazards', { session: op, body: JSON.stringify({ clause: '粉尘-3', grade: 'general', title: '泄爆片锈蚀', description: '2号除尘器泄爆片锈蚀', photos: [photo.photo] }) });
    expect(made).toMatchObject({ status: 201, body: { record: { rule: 'manual', foundBy: OPERATOR.name, state: 'found', photos: [photo.photo], rectifyWithinH: 24 } } });
    const id = (made.body as { record: { id: string } }).record.id;

    await post(b, `/api/hazards/${id}/assign`, { session: sup, body: JSON.stringify({ assignee: SUPERVISOR.name, withinH: 8 }) });
    expect(await post(b, `/api/hazards/${id}/rectify`, { session: sup, body: JSON.stringify({ note: '已更换泄爆片' }) })).toMatchObject({ status: 200 });
    const own = await post(b, `/api/hazards/${id}/close`, { session: sup });
    expect(own).toMatchObject({ status: 403, body: { refusal: 'rectifier-verifies' } });
    expect(refusal(own).reason?.zh).toBe('整改人不能验收自己的整改');
    expect(await post(b, `/api/hazards/${id}/close`, { session: sup2, body: JSON.stringify({ note: '现场核实' }) })).toMatchObject({ status: 200 });
  });

  it('answers junk with a clear 400, a replay with 409, an unknown record with 404, and changes nothing', async () => {
    const open = b.hazards.records.list().length;
    for (const body of ['[]', '"x"', 'null', '{"clause":"粉尘-3"}', '{"clause":"粉尘-3","grade":"huge","title":"x"}', '{"clause":"粉尘-3","grade":"major","title":"x","extra":1}', '{"clause":"","grade":"major","title":"x"}', '{"clause":"粉尘-3","grade":"major","title":"x","rectifyWithinH":0.5}']) {
      const r = await post(b, '/api/hazards', { session: op, body });
      expect(r.status, body).toBe(400);
      expect(r.body.message, body).toBeTruthy();
    }
    expect(await post(b, '/api/hazards', { session: op, body: '{not json' })).toMatchObject({ status: 400, body: { error: 'bad_json' } });
    expect(await post(b, '/api/hazards', { session: op, body: '{}', contentType: 'text/plain' })).toMatchObject({ status: 415 });
    expect(await post(b, '/api/hazards', { body: '{}' })).toMatchObject({ status: 401 });
    expect(await post(b, '/api/hazards', { session: op, csrf: 'forged' })).toMatchObject({ status: 403, body: { error: 'bad_csrf' } });
    expect(await post(b, '/api/hazards/HZ-19990101-001/close', { session: sup })).toMatchObject({ status: 404 });
    expect(await post(b, '/api/hazards/%E0%A4%A/close', { session: sup })).toMatchObject({ status: 400 });
    expect(await get('/api/hazards/HZ-19990101-001')).toMatchObject({ status: 404 });
    const key = newKey();
    const finding = JSON.stringify({ clause: '粉尘-10', grade: 'major', title: '积尘未清' });
    expect(await post(b, '/api/hazards', { session: op, body: finding, key })).toMatchObject({ status: 201 });
    expect(await post(b, '/api/hazards', { session: op, body: finding, key })).toMatchObject({ status: 409, body: { error: 'replayed' } });
    expect(await post(b, '/api/hazards', { session: op, body: finding, key: null })).toMatchObject({ status: 400 });
    expect(b.hazards.records.list().length).toBe(open + 1);
  });
});
