/**
 * An output the gateway cannot write is a high alarm naming the output and the reason: for an
 * energise-to-run permit it may be a relay stuck on while the rule wants it off, or a machine
 * held off that should run; for the beacon, a warning no one hears. The alarm list sends it up
 * as an alarm event like any other; it returns to normal when a retry lands.
 */
import type { AlarmList } from '../alarms/alarm-list.js';
import type { GpioOutputConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { OutputFaultListener } from './outputs.js';

export const outputWriteAlarmId = (output: string): string => `${output}.write`;

/** Define one alarm per output; the returned function is the outputs' fault listener. */
export function outputWriteAlarms(outputs: readonly GpioOutputConfig[], alarms: AlarmList, clock: Clock): OutputFaultListener {
  const names = new Map(outputs.map((o) => [o.id, o.name ?? o.id]));
  for (const o of outputs) {
    const name = names.get(o.id)!;
    alarms.define({ id: outputWriteAlarmId(o.id), source: o.id, name: `${name}输出写入失败`, nameEn: `${name}: output write failed`, priority: 'high' });
  }
  return (id, fault) => {
    const name = names.get(id) ?? id;
    const level = (on: boolean, zh: boolean) => (zh ? (on ? '吸合' : '断开') : on ? 'on' : 'off');
    alarms.set(outputWriteAlarmId(id), fault !== undefined, {
      t: clock.now(),
      ...(fault
        ? {
            message: `${name}无法${level(fault.wanted, true)}（${fault.reason}）：继电器可能仍为${level(!fault.wanted, true)}，每秒重试；请检查输出模块和接线`,
            messageEn: `${name} cannot be switched ${level(fault.wanted, false)} (${fault.reason}): the relay may still be ${level(!fault.wanted, false)}; retried every second, check the output module and wiring`,
          }
        : { message: `${name}输出恢复写入`, messageEn: `${name}: output written again` }),
    });
  };
}
