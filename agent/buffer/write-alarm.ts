/**
 * A buffer that cannot write (disk full, file system remounted read-only, a failing SD card) is a
 * system alarm on the operator page while it lasts: nothing is lost yet, samples and events
 * wait in memory, but they are not safe from a power cut, and someone has to free the disk.
 * Medium, not high: the interlocks do not depend on the disk, so the plant's beacon stays for
 * process hazards; the page and the platform show it.
 */
import type { AlarmList } from '../alarms/alarm-list.js';
import type { Clock } from '../core/clock.js';
import type { OutboxOptions } from './types.js';

export const BUFFER_WRITE_ALARM_ID = 'agent.bufferWrite';

/** Define the alarm; the returned function is the outbox's onWriteTrouble. */
export function bufferWriteAlarm(alarms: AlarmList, clock: Clock): NonNullable<OutboxOptions['onWriteTrouble']> {
  alarms.define({ id: BUFFER_WRITE_ALARM_ID, source: 'agent', name: '网关缓存无法写入磁盘', nameEn: 'gateway buffer cannot write to disk', priority: 'medium' });
  return (trouble) =>
    alarms.set(BUFFER_WRITE_ALARM_ID, trouble !== undefined, {
      t: clock.now(),
      message: trouble ? `网关缓存无法写入磁盘（${trouble.error}）：数据暂存内存、持续重试，断电会丢失；请清理或更换存储卡` : '网关缓存恢复写入',
      messageEn: trouble
        ? `gateway buffer cannot write to disk (${trouble.error}): data held in memory and retried, lost on a power cut; free space or replace the card`
        : 'gateway buffer writes again',
    });
}
