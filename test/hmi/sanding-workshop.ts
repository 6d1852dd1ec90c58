/** The site of spec/site.example.yaml as the page would see it: one collector, a spark system, one sander. */
import type { Clock } from '../../agent/core/clock.js';
import { FakePlant } from './fake-plant.js';

export function sandingWorkshop(clock: Clock): FakePlant {
  const plant = new FakePlant(clock);
  const now = clock.now();
  plant.site = { name: '示例木业 砂光车间', gateway: 'GW-SANDING-01', enterprise: '91130100MA0EXAMPLE' };
  plant.points = [
    { id: 'dc1.dp', name: '除尘器进出口压差', kind: 'differential_pressure', unit: 'Pa', v: 820, q: 'good', t: now, limits: { lowLow: 150, low: 300, high: 1800, highHigh: 2500 } },
    { id: 'dc1.hopperTemp', name: '灰斗温度', kind: 'temperature', unit: '°C', v: 41.6, q: 'good', t: now, limits: { high: 60, highHigh: 70 } },
    { id: 'ds1.conc', name: '粉尘浓度', kind: 'dust_concentration', unit: 'mg/m3', v: 3.2, q: 'comm', t: now - 45_000, limits: { high: 10, highHigh: 20 } },
  ];
  plant.contacts = [
    { id: 'spark1', name: '1号风管火花探测', kind: 'spark', v: false, q: 'good', t: now },
    { id: 'spark1.fault', name: '火花探测系统故障', kind: 'fault', v: false, q: 'good', t: now },
    { id: 'fan1.run', name: '除尘风机运行', kind: 'run_feedback', v: true, q: 'good', t: now },
    { id: 'valve1.run', name: '锁气卸灰阀运行', kind: 'run_feedback', v: true, q: 'stale', t: now - 120_000 },
    { id: 'loto.sander1', name: '1号砂光机上锁', kind: 'lockout', v: false, q: 'good', t: now },
  ];
  plant.outputs = [
    { id: 'sander1.permit', name: '1号砂光机启动许可', on: true },
    { id: 'beacon', name: '声光报警器', on: false },
  ];
  plant.permits = [
    {
      id: 'sander1-permit',
      name: '1号砂光机启动许可',
      output: 'sander1.permit',
      on: true,
      latched: false,
      resettable: false,
      conditions: [
        // English where the agent has it; the others fall back to the Chinese
        { key: 'permitWhen[0]', text: '除尘风机运行 持续 30 s', textEn: '除尘风机运行 is on for 30 s', holds: true },
        { key: 'permitWhen[1]', text: '除尘器进出口压差 在 300–1800 Pa', textEn: '除尘器进出口压差 between 300 and 1800 Pa', holds: true },
        { key: 'permitWhen[2]', text: '1号砂光机上锁 为 否', holds: true },
        { key: 'permitWhen[3]', text: '火花探测系统故障 为 否', holds: true },
        { key: 'permitWhen[4]', text: '火花 10 s 内少于 3 次', holds: true },
      ],
    },
  ];
  plant.lockouts = [{ id: 'loto.sander1', name: '1号砂光机上锁', applied: false, energySeen: false }];
  plant.uplinks = [
    { name: 'mqtt', connected: true, pending: 0, oldestPendingMs: null },
    { name: 'hebei', connected: false, pending: 1834, oldestPendingMs: 27 * 60_000 },
  ];
  plant.devices = [
    { id: 'dc1', bus: 'rs485a', unitId: 1, ok: true, transactions: 86_412, timeouts: 3, crcErrors: 1, exceptions: 0, lastAnswer: now - 400 },
    { id: 'ds1', bus: 'rs485a', unitId: 2, ok: false, transactions: 86_390, timeouts: 57, crcErrors: 0, exceptions: 0, lastAnswer: now - 45_000 },
  ];
  return plant;
}
