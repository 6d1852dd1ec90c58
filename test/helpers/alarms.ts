/** An alarm list as the plant builds it, with every event its changes report kept in order. */
import { AlarmList } from '../../agent/alarms/alarm-list.js';
import type { Clock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { EventLog } from '../../agent/plant/events.js';

export function recordedAlarms(clock: Clock, bootId = 't'): { alarms: AlarmList; events: PlantEvent[]; log: EventLog } {
  const log = new EventLog(bootId, () => true);
  const events: PlantEvent[] = [];
  log.onEvent((e) => events.push(e));
  return { alarms: new AlarmList(clock, log.report), events, log };
}
