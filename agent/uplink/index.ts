export { MqttUplink, type MqttUplinkOptions } from './mqtt-uplink.js';
export type { Destination, DestinationStatus } from './destination.js';
export { ClockSync, SystemSyncProbe, type SyncProbe } from './clock-sync.js';
export { topicsFor, type Topics } from './topics.js';
export type { BirthContent, BirthPoint, HealthExtras, CmdResult } from './messages.js';
