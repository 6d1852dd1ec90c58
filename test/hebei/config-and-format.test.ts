import { describe, expect, it } from 'vitest';
import { parseSiteText } from '../../agent/config/load.js';
import { chinaTime } from '../../agent/uplink/hebei/china-time.js';
import { decimal, hebeiEvent, type HebeiPoint } from '../../agent/uplink/hebei/payloads.js';
import { HEBEI_SCD_DEFAULTS } from '../../agent/uplink/hebei/config.js';

const SITE = (hebei: string) => `
version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW01 }
buses: [{ id: rs485a, port: "sim:a" }]
devices:
  - id: ds1
    bus: rs485a
    unitId: 2
    points:
      - { id: ds1.conc, kind: dust_concentration, register: { table: holding, address: 0, type: float32 }, limits: { high: 10, highHigh: 20 } }
gpio: { backend: sim, inputs: [{ id: spark1, kind: spark, line: 17 }] }
uplink:
  hebei:
${hebei
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

const GOOD = `
baseUrl: http://platform.example:6030/rabbitmqfcsb
qybm: "012345678912"
wgbm: "01234567891201"
keyFile: /etc/firebreak/secrets/hebei-des.key
points: { ds1.conc: "0123456789120106001", spark1: "0123456789120103001" }
`;

function problems(hebei: string): string[] {
  const r = parseSiteText(SITE(hebei));
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('uplink.hebei in the site file', () => {
  it('accepts the installer example with its defaults: 30 s, IV 12345678, scd 4/1/2/3 and 0 for a clear', () => {
    const r = parseSiteText(SITE(GOOD));
    expect(r.ok && r.config.uplink?.hebei).toMatchObject({ periodSeconds: 30, iv: '12345678', scd: { highHigh: 4, high: 1, low: 2, lowLow: 3, clear: 0 } });
  });

  it('lists every problem with the rule it breaks', () => {
    const got = problems(`
baseUrl: platform.example/rabbitmqfcsb
qybm: "01234567891"
wgbm: "99234567891201"
keyFile: /etc/firebreak/secrets/hebei-des.key
periodSeconds: 600
points: { ds1.conc: "9123456789120106001", spark1: "01234567891201", dc9.dp: "0123456789120101001" }
scd: { highHigh: 5, alarm: 1 }
`);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^uplink\.hebei\.baseUrl: must be http:\/\/host:port\/path/),
        expect.stringMatching(/^uplink\.hebei\.qybm: must be the enterprise code \(qybm\) issued by the platform: 12 digits/),
        expect.stringMatching(/^uplink\.hebei\.periodSeconds: must be 5\.\.300/),
        expect.stringMatching(/^uplink\.hebei\.points\.spark1: must be the point code \(tnm\): qybm and 7 more digits: 19 digits/),
        expect.stringMatching(/^uplink\.hebei\.scd\.alarm: unknown key/),
        expect.stringMatching(/^uplink\.hebei\.points\.dc9\.dp: must be a point of a device or a gpio input \(no dc9\.dp is declared\)/),
      ]),
    );
  });

  it('wants wgbm and every tnm to start with qybm, tnm unique, and every mapped point declared', () => {
    const got = problems(`
baseUrl: http://platform.example:6030/rabbitmqfcsb
qybm: "012345678912"
wgbm: "99234567891201"
keyFile: /k
points: { ds1.conc: "9123456789120106001", spark1: "0123456789120103001", dc9.dp: "0123456789120103001" }
`);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^uplink\.hebei\.wgbm: must start with qybm \(012345678912\)/),
        expect.stringMatching(/^uplink\.hebei\.points\.ds1\.conc: must start with qybm/),
        expect.stringMatching(/^uplink\.hebei\.points\.dc9\.dp: is already the tnm of spark1/),
        expect.stringMatching(/^uplink\.hebei\.points\.dc9\.dp: must be a point of a device or a gpio input/),
      ]),
    );
  });
});

describe('Hebei field formats', () => {
  it('writes China time (UTC+8) whatever the machine zone', () => {
    // 2026-06-21 00:10:34.900 UTC is 08:10:34 in Beijing; the fraction is cut, not rounded
    expect(chinaTime(Date.UTC(2026, 5, 21, 0, 10, 34, 900))).toBe('2026-06-21 08:10:34');
    expect(chinaTime(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('2027-01-01 00:00:00');
  });

  it('writes values as decimal strings, never in exponent notation', () => {
    expect(decimal(27.2)).toBe('27.20');
    expect(decimal(812)).toBe('812.00');
    expect(decimal(0.0031)).toBe('0.0031');
    expect(decimal(1e-7)).toBe('0.00');
    expect(decimal(-1e-7)).toBe('0.00');
    expect(decimal(123456789012)).toBe('123456789012.00');
    expect(decimal(true)).toBe('1');
    expect(decimal(false)).toBe('0');
  });

  it('takes limit alarms and clears of mapped points, not acknowledgements, shelving or unmapped points', () => {
    const points = new Map<string, HebeiPoint>([['ds1.conc', { tnm: '0123456789120106001', label: '粉尘浓度' }]]);
    const base = { id: 'x', t: Date.UTC(2026, 5, 21, 0, 10, 35), type: 'alarm' as const, priority: 'high' as const };
    const raise = { ...base, source: 'ds1.conc.highHigh', state: 'unack', value: 126.8, limit: 100, limitKind: 'highHigh', message: '粉尘浓度超上上限报警' };
    expect(hebeiEvent(raise, points, HEBEI_SCD_DEFAULTS)).toEqual({
      ts: '2026-06-21 08:10:35',
      oname: '0123456789120106001',
      avx: '126.8000',
      scd: 4,
      threshold: 100,
      content: '粉尘浓度超上上限报警',
    });
    expect(hebeiEvent({ ...raise, state: 'rtn_unack', value: 80 }, points, HEBEI_SCD_DEFAULTS)).toMatchObject({ scd: 0, content: '粉尘浓度超上上限报警解除' });
    // shelved: the value tells a raise from a clear
    expect(hebeiEvent({ ...raise, state: 'shelved' }, points, HEBEI_SCD_DEFAULTS)).toMatchObject({ scd: 4 });
    expect(hebeiEvent({ ...raise, state: 'shelved', value: 80 }, points, HEBEI_SCD_DEFAULTS)).toMatchObject({ scd: 0 });
    expect(hebeiEvent({ ...base, source: 'ds1.conc.highHigh', state: 'ack', user: 'operator', message: '已确认' }, points, HEBEI_SCD_DEFAULTS)).toBeUndefined();
    expect(hebeiEvent({ ...raise, source: 'dc1.dp.highHigh' }, points, HEBEI_SCD_DEFAULTS)).toBeUndefined();
    expect(hebeiEvent({ ...base, source: 'ds1.conc.fault', state: 'unack', value: null, message: '传感器故障' }, points, HEBEI_SCD_DEFAULTS)).toBeUndefined();
  });
});
