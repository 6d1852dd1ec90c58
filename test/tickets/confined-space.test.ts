/**
 * Confined-space entry at the collector's ash hopper (config/site.workshop.yaml, hopper1), on a
 * fake clock with the GPIO twin: 先通风、再检测、后作业 enforced by the gateway, the evacuate alarm
 * (撤离) with the beacon, entry without a ticket found as a hidden hazard, hot work refused for an
 * expired certificate, and a restart during entry that keeps who is inside.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { fillLedger, MIN, SUPERVISOR, TESTER, ticketSite, type TicketSite } from './ticket-site.js';

let s: TicketSite;
beforeEach(async () => {
  s = await ticketSite();
  await fillLedger(s);
});
afterEach(async () => {
  await s.stop();
  await s.remove();
});

const open = () => s.tickets.openEntry({ space: 'hopper1', work: '清理灰斗积灰', inCharge: '王主管', attendant: '赵监护', entrants: ['钱一', '孙二'] }, SUPERVISOR);
const beacon = () => s.relay(s.config.alarms!.beacon!);

it('refuses entry until the lockout is applied, the fan has run 30 min and a passing test is taken', async () => {
  s.gas(20.9);
  s.contact('att1.present', true);
  const r = await open();
  expect(r).toMatchObject({ ok: true, ticket: { state: 'opened', id: 'ZY-20261202-001' } });
  const id = r.ok ? r.ticket.id : '';
  expect(s.tickets.nextStep(s.tickets.get(id)!)?.zh).toContain('1号灰斗卸灰阀上锁');
  expect(await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER)).toMatchObject({ ok: false, refusal: 'wrong-state' });

  s.contact('loto.hopper1', true);
  expect(s.tickets.nextStep(s.tickets.get(id)!)?.en).toBe('ventilation is not running');
  s.contact('vfan1.run', true);
  s.advance(29 * MIN);
  expect(s.tickets.nextStep(s.tickets.get(id)!)?.en).toMatch(/ventilation has not run its time: 1 min to go/);
  s.advance(MIN + 1000);
  expect(s.tickets.nextStep(s.tickets.get(id)!)?.en).toBe('no gas test taken');

  s.gas(18.9);
  expect(await s.tickets.act(id, { kind: 'test' }, TESTER)).toMatchObject({ ok: true, ticket: { test: { pass: false } } });
  s.advance(1000);
  expect(s.tickets.get(id)!.state).toBe('opened');
  expect(s.tickets.nextStep(s.tickets.get(id)!)?.en).toMatch(/gas test failed: gd1.o2=18.9/);

  s.gas(20.9);
  expect(await s.tickets.act(id, { kind: 'test' }, TESTER)).toMatchObject({ ok: true, ticket: { state: 'permitted', test: { pass: true, by: '李检测' } } });
  expect(await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER)).toMatchObject({ ok: true, ticket: { inside: ['钱一'] } });
  await s.settle();
  const states = s.ticketEvents().map((e) => e.state);
  expect(states).toEqual(['opened', 'tested', 'tested', 'entry_permitted', 'entered']);
  const tested = s.ticketEvents('tested')[1]!;
  expect(tested).toMatchObject({ ticket: id, kind: 'confined_space', by: '李检测', source: 'hopper1' });
  expect(tested.detail?.['readings']).toEqual([
    { name: 'gd1.o2', value: 20.9, ok: true },
    { name: 'gd1.lel', value: 0, ok: true },
    { name: 'gd1.h2s', value: 0, ok: true },
    { name: 'gd1.co', value: 0, ok: true },
  ]);
});

async function permitted(): Promise<string> {
  s.gas(20.9);
  s.contact('att1.present', true);
  s.contact('loto.hopper1', true);
  s.contact('vfan1.run', true);
  const r = await open();
  const id = r.ok ? r.ticket.id : '';
  s.advance(30 * MIN + 1000);
  await s.tickets.act(id, { kind: 'test' }, TESTER);
  expect(s.tickets.get(id)!.state).toBe('permitted');
  return id;
}

it('refuses entry with a test 31 min old, and pauses the ticket until a new test', async () => {
  const id = await permitted();
  s.advance(31 * MIN);
  expect(s.tickets.get(id)).toMatchObject({ state: 'suspended', suspendedBy: 'gateway', holdCause: { en: 'the gas test is older than 30 min: test again' } });
  expect(await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER)).toMatchObject({ ok: false, refusal: 'wrong-state' });
  await s.tickets.act(id, { kind: 'test' }, TESTER);
  expect(s.tickets.get(id)!.state).toBe('permitted');
  expect(await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER)).toMatchObject({ ok: true });
});

it('raises evacuate with the beacon within one poll when O₂ falls to 19.0 % during entry, until everyone is out', async () => {
  const id = await permitted();
  await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER);
  await s.tickets.act(id, { kind: 'enter', person: '孙二' }, TESTER);
  expect(await s.tickets.act(id, { kind: 'enter', person: '孙二' }, TESTER)).toMatchObject({ ok: false, refusal: 'already-inside' });
  expect(beacon()).toBe(false);
  s.reading('gd1.o2', 19.0);
  // the same sample's callback: no time has passed
  expect(s.tickets.get(id)!.state).toBe('evacuate');
  expect(s.alarm('hopper1.evacuate')).toMatchObject({ active: true, priority: 'critical' });
  expect(beacon()).toBe(true);
  await s.tickets.act(id, { kind: 'exit', person: '钱一' }, TESTER);
  expect(s.alarm('hopper1.evacuate')!.active).toBe(true);
  await s.tickets.act(id, { kind: 'exit', person: '孙二' }, TESTER);
  expect(s.alarm('hopper1.evacuate')!.active).toBe(false);
  expect(await s.tickets.act(id, { kind: 'close' }, SUPERVISOR)).toMatchObject({ ok: true, ticket: { state: 'closed', wasInside: ['钱一', '孙二'], closedBy: '王主管' } });
  await s.settle();
  const evac = s.ticketEvents('evacuate')[0]!;
  expect(evac).toMatchObject({ priority: 'critical', by: 'gateway', detail: { count: 2, inside: ['钱一', '孙二'] } });
  expect(evac.message).toContain('氧气 = 19');
});

it('raises evacuate when the attendant leaves', async () => {
  const id = await permitted();
  await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER);
  s.contact('att1.present', false);
  expect(s.tickets.get(id)!.state).toBe('evacuate');
  expect(s.tickets.get(id)).toMatchObject({ evacuateCause: { en: 'the attendant left' } });
  expect(beacon()).toBe(true);
});

it('opens a hidden-hazard record under 有限空间-2 when the hatch opens without a ticket', async () => {
  s.contact('hatch1.open', true);
  expect(s.alarm('hopper1.unticketed')).toMatchObject({ active: true, priority: 'critical' });
  const rec = await waitFor('the record', () => s.hazards.records.list().find((r) => r.rule === 'hopper1.unticketed'));
  expect(rec).toMatchObject({ clause: '有限空间-2', grade: 'major', state: 'found', foundBy: 'gateway' });
  expect(s.hazards.present('hopper1.unticketed')).toBe(true);
  s.contact('hatch1.open', false);
  expect(s.alarm('hopper1.unticketed')!.active).toBe(false);
  expect(s.hazards.present('hopper1.unticketed')).toBe(false);
});

it('refuses a hot-work ticket naming a worker whose certificate expired yesterday', async () => {
  await s.hazards.cleaning.checkIn('sanding-room', { by: TESTER });
  s.reading('ds1.conc', 0.3);
  s.contact('spark1.fault', false);
  const r = await s.tickets.openHotWork({ space: 'sanding-room-hot-work', work: '修补风管', worker: '周焊工' }, SUPERVISOR);
  expect(r).toMatchObject({ ok: false, refusal: 'certificate-expired', reason: { zh: '周焊工 的「焊接与热切割作业」操作证已过期' } });
  const ok = await s.tickets.openHotWork({ space: 'sanding-room-hot-work', work: '修补风管', worker: '吴焊工' }, SUPERVISOR);
  expect(ok).toMatchObject({ ok: true, ticket: { state: 'permitted', kind: 'hot_work' } });
  await s.settle();
  expect(s.ticketEvents().map((e) => [e.ticket, e.state])).toEqual([
    ['DH-20261202-001', 'refused'],
    ['DH-20261202-002', 'opened'],
    ['DH-20261202-002', 'entry_permitted'],
  ]);
});

it('keeps the ticket and who is inside over a restart, and evacuate still applies', async () => {
  const id = await permitted();
  await s.tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER);
  s.reading('gd1.o2', 19.0);
  await s.settle();
  const { dir, clock } = s;
  await s.stop();
  s = await ticketSite({ dir, clock });
  expect(s.tickets.get(id)).toMatchObject({ state: 'evacuate', inside: ['钱一'] });
  s.advance(1000);
  expect(s.alarm('hopper1.evacuate')!.active).toBe(true);
  expect(beacon()).toBe(true);
});

it('pauses hot work with a high alarm when the dust rises, resumes it when it falls, and lapses it at validH', async () => {
  await s.hazards.cleaning.checkIn('sanding-room', { by: TESTER });
  s.reading('ds1.conc', 0.3);
  s.contact('spark1.fault', false);
  const r = await s.tickets.openHotWork({ space: 'sanding-room-hot-work', work: '修补风管', worker: '吴焊工' }, SUPERVISOR);
  if (!r.ok) throw new Error(r.reason.en);
  s.reading('ds1.conc', 2.5);
  expect(s.tickets.get(r.ticket.id)).toMatchObject({ state: 'suspended', holdCause: { zh: expect.stringContaining('粉尘浓度') } });
  expect(s.alarm(`${r.ticket.id}.conditions`)).toMatchObject({ active: true, priority: 'high' });
  s.reading('ds1.conc', 0.4);
  expect(s.tickets.get(r.ticket.id)!.state).toBe('permitted');
  expect(s.alarm(`${r.ticket.id}.conditions`)!.active).toBe(false);
  // the dust meter keeps reading low every 5 s (a point not read goes stale, which pauses hot work too)
  const lapses = s.tickets.get(r.ticket.id)!.kind === 'hot_work' ? (s.tickets.get(r.ticket.id) as { permit: { lapsesAt: number } }).permit.lapsesAt : 0;
  while (s.clock.now() < lapses - 5000) {
    s.clock.advance(5000);
    s.reading('ds1.conc', 0.4);
  }
  expect(s.tickets.get(r.ticket.id)!.state).toBe('permitted');
  s.clock.advance(7000);
  expect(s.tickets.get(r.ticket.id)).toMatchObject({ state: 'closed', lapsed: true, closedBy: 'gateway' });
  await s.settle();
  expect(s.ticketEvents().filter((e) => e.ticket === r.ticket.id).map((e) => e.state)).toEqual(['opened', 'entry_permitted', 'suspended', 'entry_permitted', 'closed']);
});
