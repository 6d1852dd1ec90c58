/**
 * A permit relay the gateway cannot write: the GPIO twin refuses writes on the permit's line, as
 * a failed output module or a vanished chip would. The gateway must not believe the relay is
 * where it wrote it: a high alarm names the output and the reason, the permits board shows it,
 * an alarm event goes up, and the write is retried until it lands.
 */
import { describe, expect, it } from 'vitest';
import { workshop } from '../interlocks/workshop.js';

const PERMIT_LINE = 26; // sander1.permit in config/site.example.yaml
const BEACON_LINE = 16;

describe('a permit relay that refuses writes', () => {
  it('raises a high alarm naming the output and the reason, shows it on the permits board, and retries every second until the relay drops', async () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    expect(w.relay('sander1.permit')).toBe(true);

    w.gpio.refuseWrites(PERMIT_LINE, 'EIO: i/o error, write');
    w.contact('fan1.run', false); // the fan stops: the permit must drop
    w.advance(100);

    // the relay is still energised and the gateway says so
    expect(w.relay('sander1.permit')).toBe(true);
    const page = w.page.snapshot();
    expect(page.outputs.find((o) => o.id === 'sander1.permit')).toMatchObject({ on: true, fault: { reason: 'EIO: i/o error, write', wanted: false } });
    expect(page.permits[0]).toMatchObject({ on: false, outputFault: { reason: 'EIO: i/o error, write' } });
    expect(page.alarms.find((a) => a.id === 'sander1.permit.write')).toMatchObject({
      priority: 'high',
      active: true,
      state: 'unack',
      name: '1号砂光机启动许可输出写入失败',
    });
    const raised = w.eventsOf('alarm', 'sander1.permit.write');
    expect(raised).toEqual([
      expect.objectContaining({
        state: 'unack',
        priority: 'high',
        message: expect.stringMatching(/^1号砂光机启动许可无法断开（EIO: i\/o error, write）：继电器可能仍为吸合.* \/ 1号砂光机启动许可 cannot be switched off \(EIO: i\/o error, write\): the relay may still be on/),
      }),
    ]);
    // the fan stop is the first-out of the flood; the write failure it caused is not
    expect(page.flood).toMatchObject({ leader: 'sander1-permit.trip' });
    expect(page.alarms.find((a) => a.id === 'sander1.permit.write')!.firstOut).toBeUndefined();
    // the beacon sounds for a high alarm, and its own relay still takes writes
    expect(w.relay('beacon')).toBe(true);

    // retried every second, one alarm event for the whole fault, not one per attempt
    const writesBefore = w.gpio.writes.length;
    w.advance(5_000);
    expect(w.relay('sander1.permit')).toBe(true);
    expect(w.eventsOf('alarm', 'sander1.permit.write')).toHaveLength(1);
    expect(w.gpio.writes.length).toBe(writesBefore); // refused writes never reach the relay

    // the output module answers again: the next retry drops the relay, the alarm returns to normal
    w.gpio.refuseWrites(PERMIT_LINE, undefined);
    w.advance(1_000);
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.page.snapshot().outputs.find((o) => o.id === 'sander1.permit')).toEqual({ id: 'sander1.permit', name: '1号砂光机启动许可', on: false });
    expect(w.page.snapshot().permits[0]!.outputFault).toBeUndefined();
    expect(w.page.snapshot().alarms.find((a) => a.id === 'sander1.permit.write')).toMatchObject({ active: false, state: 'rtn_unack' });
    expect(w.eventsOf('alarm', 'sander1.permit.write').at(-1)).toMatchObject({ state: 'rtn_unack', message: expect.stringContaining('输出恢复写入') });
  });

  it('ends the fault when the rule no longer wants the level it could not write', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.gpio.refuseWrites(PERMIT_LINE, 'EBUSY: resource busy, write');
    w.contact('loto.sander1', true); // lockout applied: permit should drop, the write fails
    w.advance(100);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'sander1.permit.write')).toMatchObject({ active: true });
    // the interlock is latched; but a retry that lands is the only way back: the relay never drops on its own
    w.gpio.refuseWrites(PERMIT_LINE, undefined);
    w.advance(1_000);
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'sander1.permit.write')).toMatchObject({ active: false });
  });

  it('a beacon that refuses writes raises its own alarm without looping on the alarm it raised', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.gpio.refuseWrites(BEACON_LINE, 'EIO: i/o error, write');
    w.reading('dc1.dp', 1950); // high-high: the beacon must sound
    w.advance(100);
    expect(w.relay('beacon')).toBe(false);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'beacon.write')).toMatchObject({ active: true, priority: 'high' });
    expect(w.eventsOf('alarm', 'beacon.write')).toHaveLength(1);
    w.gpio.refuseWrites(BEACON_LINE, undefined);
    w.advance(1_000);
    expect(w.relay('beacon')).toBe(true);
  });
});
