/** The payload of a message read back from the buffer, as the backlog drain publishes it. */
import { expect, it } from 'vitest';
import { fromStored, storedPayload } from '../../agent/uplink/messages.js';
import { dp, openOutbox, sparkEvent } from '../buffer/tmp-outbox.js';
import { schemaProblems } from './schemas.js';

it('writes a stored data message straight from its bytes exactly as its JSON, epoch included', async () => {
  const { outbox } = await openOutbox({ commitMs: 50 });
  try {
    const t = Date.UTC(2026, 5, 21, 8, 0, 0);
    for (let i = 0; i < 40; i++) outbox.addSample({ ...dp(1 + (i % 3), t + i, 800 + i / 8), ...(i % 7 === 0 ? { tq: 'unsynced' as const } : {}) });
    await outbox.flush();
    await outbox.addEvent(sparkEvent(1, t));
    const stored = [...(await outbox.readRange('data', 1, 10)), ...(await outbox.readRange('events', 1, 10))];
    expect(stored.map((m) => m.stream)).toEqual(['data', 'events', 'events']);
    for (const m of stored) {
      const payload = storedPayload(m, 'boot-1', true).toString();
      expect(payload).toBe(JSON.stringify(fromStored(m, 'boot-1', true)));
      const body = JSON.parse(payload) as Record<string, unknown>;
      expect(body).toMatchObject({ seq: m.seq, epoch: outbox.epoch, bootId: 'boot-1', hist: true });
      expect(schemaProblems(body)).toEqual([]);
    }
  } finally {
    await outbox.close();
  }
});
