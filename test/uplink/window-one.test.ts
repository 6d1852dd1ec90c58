/** A gateway configured with one message in flight still sends what it buffered before it connected. */
import { expect, it } from 'vitest';
import { brokerPerFile } from '../helpers/broker.js';
import { dp } from '../buffer/tmp-outbox.js';
import { startGateway } from './gateway.js';
import { Platform, waitFor } from './subscriber.js';

const { broker, cleanup } = brokerPerFile();

it('with a window of 1, drains the backlog buffered before the connection (the live reserve leaves it the one slot)', async () => {
  const gw = await startGateway(broker.url, { window: 1, autostart: false });
  cleanup.push(() => gw.close());
  for (let i = 0; i < 3; i++) {
    gw.outbox.addSample(dp(1, Date.now(), 800 + i));
    await gw.outbox.flush();
  }
  const platform = await Platform.connect(broker.url, gw.root);
  cleanup.push(() => platform.close());
  await gw.uplink.start();
  // the three readings, and events seq 1 (the new series' announcement), all committed before the connect
  await waitFor('the backlog at the platform', () => platform.on('data').length >= 3 && platform.on('events').length >= 1);
  expect(platform.on('data').map((r) => [r.body.seq, r.body.hist])).toEqual([[1, true], [2, true], [3, true]]);
  await waitFor('nothing pending', () => gw.uplink.status().pending === 0);
});
