/**
 * The preset causes and actions an operator picks from for alarm handling feedback (处置反馈),
 * in one place for the page, the records and the docs. A preset is sent by its Chinese words
 * (what a district platform shows) with its code in the event's detail (what it counts by);
 * anything else the operator types is sent as written. `other` asks for a note.
 */

export interface Preset {
  code: string;
  zh: string;
  en: string;
}

export const OTHER = 'other';

/** What caused the alarm: the dust collector's usual culprits first, then people and tests. */
export const DISPOSITION_CAUSES: readonly Preset[] = [
  { code: 'bags-blinding', zh: '滤袋堵塞', en: 'filter bags blinding' },
  { code: 'bag-burst', zh: '滤袋破损', en: 'filter bag burst' },
  { code: 'airlock-jammed', zh: '锁气卸灰阀卡堵', en: 'rotary airlock jammed' },
  { code: 'fan-fault', zh: '除尘风机故障', en: 'collector fan fault' },
  { code: 'spark-upstream', zh: '上游工序产生火花', en: 'sparks from an upstream machine' },
  { code: 'sensor-fault', zh: '仪表或传感器故障', en: 'instrument or sensor fault' },
  { code: 'wiring', zh: '线路或通讯故障', en: 'wiring or communication fault' },
  { code: 'power', zh: '停电或电源故障', en: 'power loss or supply fault' },
  { code: 'process', zh: '生产工况波动', en: 'process upset' },
  { code: 'maintenance', zh: '检修作业引起', en: 'caused by maintenance work' },
  { code: 'operator-error', zh: '误操作', en: 'operator error' },
  { code: 'test', zh: '测试或演练', en: 'test or drill' },
  { code: 'false-alarm', zh: '误报', en: 'false alarm' },
  { code: OTHER, zh: '其他', en: 'other' },
];

/** What was done about it. */
export const DISPOSITION_ACTIONS: readonly Preset[] = [
  { code: 'inspected', zh: '现场检查，未见异常', en: 'inspected on site, nothing found' },
  { code: 'cleaned', zh: '清灰或清理积尘', en: 'cleared the dust' },
  { code: 'bags-replaced', zh: '更换滤袋', en: 'replaced filter bags' },
  { code: 'repaired', zh: '维修设备', en: 'repaired the equipment' },
  { code: 'sensor-fixed', zh: '校准或更换仪表', en: 'calibrated or replaced the instrument' },
  { code: 'stopped', zh: '停机处置', en: 'stopped production to deal with it' },
  { code: 'restarted', zh: '复位并恢复运行', en: 'reset and back in operation' },
  { code: 'reported', zh: '已上报主管', en: 'reported to the supervisor' },
  { code: 'hazard-entered', zh: '已登记隐患', en: 'entered as a hidden hazard' },
  { code: OTHER, zh: '其他', en: 'other' },
];

/** The preset a page sent by its code, if it is one. */
export function presetOf(list: readonly Preset[], code: string): Preset | undefined {
  return list.find((p) => p.code === code);
}
