// Every word the page shows, in Chinese (the default on site) and English, plus the formatters
// for times, durations and values. Chosen language is remembered in localStorage.

const STORAGE_KEY = 'firebreak.lang';

const zh = {
  title: 'Firebreak 粉尘防爆监控',
  otherLanguage: 'English',
  login: '登录',
  logout: '退出',
  userName: '用户名',
  password: '密码',
  cancel: '取消',
  close: '关闭',
  roleOperator: '操作员',
  roleSupervisor: '班长',
  userAndRole: '{user}（{role}）· {logout}',
  navAlarms: '报警',
  navPermits: '许可',
  navLockouts: '上锁',
  navValues: '数值',
  navTrends: '趋势',
  navSystem: '系统',
  alarms: '报警',
  permits: '启动许可',
  lockouts: '上锁挂牌',
  values: '实时数值',
  analogs: '测点',
  contacts: '开关量',
  outputs: '输出',
  trends: '趋势',
  system: '上传与通讯',
  uplinks: '数据上传',
  devices: '总线设备',
  connectionLost: '与控制器的连接已断开，正在重连…… 画面数据不是实时的。',
  soundOff: '报警声音未开启：点此开启',
  soundUnavailable: '此浏览器不能播放报警声音，请留意闪烁的报警',
  silenceHorn: '消音',
  noAlarms: '无活动报警',
  unackCount: '未确认 {n}',
  activeCount: '报警 {n}',
  stateUnack: '未确认',
  stateAck: '已确认',
  stateRtnUnack: '恢复未确认',
  stateNormal: '正常',
  stateShelved: '搁置',
  stateOos: '停用',
  prioCritical: '紧急',
  prioHigh: '高',
  prioMedium: '中',
  prioLow: '低',
  firstOut: '首出',
  flood: '报警泛滥：1 秒内 {n} 个报警，首出：{name}',
  acknowledge: '确认',
  shelve: '搁置',
  value: '值',
  limit: '限值',
  limitLowLow: '低低限',
  limitLow: '低限',
  limitHigh: '高限',
  limitHighHigh: '高高限',
  short_lowLow: '低低',
  short_low: '低',
  short_high: '高',
  short_highHigh: '高高',
  since: '自 {t}',
  at: '于 {t}',
  shelvedUntil: '搁置至 {t}（{user}）',
  ackBy: '{user} 已确认',
  active: '报警中',
  cleared: '已恢复',
  permitOn: '允许',
  permitOff: '禁止',
  latched: '已锁存',
  output: '输出 {id}',
  outputFault: '⚠ 输出写入失败（{reason}），{t} 起每秒重试；继电器实际状态未知',
  outputFaultChip: '输出故障',
  holds: '满足',
  notHolds: '不满足',
  heldOffBy: '不满足的条件',
  firstOutTrip: '首出原因：{text}（{t}）',
  simultaneous: '同时：{list}',
  listSeparator: '、',
  reset: '复位',
  resetTitle: '确认复位联锁',
  resetEffect: '复位后输出 {output} 将恢复许可，{name}可以重新启动。请确认现场已处理完毕。',
  permitStripLabel: '启动许可',
  resetNotYet: '条件未全部满足，暂不能复位',
  noPermits: '未配置联锁许可',
  lockApplied: '已上锁',
  lockFree: '未上锁',
  energySeen: '上锁时检测到能量！',
  noLockouts: '未配置上锁点',
  quality_good: '正常',
  quality_uncertain: '可疑',
  quality_bad: '坏值',
  quality_comm: '通讯中断',
  quality_stale: '数据过期',
  updated: '更新于 {t}',
  noValue: '无值',
  yes: '是',
  no: '否',
  on: '通',
  off: '断',
  spark_true: '检测到火花',
  spark_false: '无火花',
  fault_true: '故障',
  fault_false: '正常',
  run_feedback_true: '运行',
  run_feedback_false: '停止',
  lockout_true: '已上锁',
  lockout_false: '未上锁',
  outputOn: '得电',
  outputOff: '失电',
  trendPoint: '测点',
  time: '时间',
  lastHour: '近 1 小时',
  lastDay: '近 24 小时',
  noTrend: '该时段无数据',
  trendFailed: '趋势读取失败',
  connected: '已连接',
  disconnected: '未连接',
  pending: '待发送 {n} 条',
  oldest: '最早一条已等待 {d}',
  draining: '正在补传：{pct}%',
  upToDate: '已全部发送',
  sending: '正在发送 {n} 条',
  noUplinks: '未配置上传',
  deviceOk: '通讯正常',
  deviceFault: '通讯故障',
  busUnit: '总线 {bus} · 从站 {unit}',
  transactions: '通讯次数',
  timeouts: '超时',
  crcErrors: '校验错误',
  exceptions: '异常应答',
  lastAnswer: '最后应答',
  never: '从未',
  noDevices: '未配置总线设备',
  shelveTitle: '搁置报警',
  shelveReason: '原因（必填）',
  shelveFor: '搁置时长',
  shelveUntilPreview: '到期时间：{t}',
  reasonMaintenance: '仪表检修',
  reasonNuisance: '误报待处理',
  reasonTesting: '联调试验',
  minutes: '{n} 分钟',
  hours: '{n} 小时',
  loginTitle: '登录后可操作',
  loginNeeded: '请先登录',
  supervisorOnly: '搁置需要班长权限',
  done_ack: '已确认',
  done_shelve: '已搁置',
  done_reset: '已复位',
  err_bad_credentials: '用户名或密码错误',
  err_throttled: '登录失败次数过多，请 {s} 秒后再试',
  err_busy: '系统繁忙，请稍后再试',
  err_no_session: '登录已过期，请重新登录',
  err_bad_csrf: '会话校验失败，请重新登录',
  err_bad_origin: '请求来源不符，已拒绝',
  err_role: '当前用户无此权限',
  err_not_found: '对象不存在（可能已被删除）',
  err_replayed: '重复提交，已忽略',
  err_too_large: '提交内容过长',
  err_invalid: '输入无效：{msg}',
  err_bad_json: '提交内容格式错误',
  err_refused: '控制器拒绝：{msg}',
  err_network: '无法连接控制器',
  err_other: '操作失败：{msg}',
  durS: '{s} 秒',
  durM: '{m} 分 {s} 秒',
  durH: '{h} 小时 {m} 分',
  durD: '{d} 天 {h} 小时',
  navHazards: '隐患',
  hazards: '隐患排查整改',
  hazardCount: '重大隐患 {n}',
  hazardZero: '重大隐患动态清零',
  hazardOldest: '最早一项已 {age}',
  hazardTotals: '未闭环 {open} · 超期 {overdue} · 待验收 {verify} · 今日闭环 {closed}',
  noHazards: '没有未闭环的隐患',
  gradeMajor: '重大隐患',
  gradeGeneral: '一般隐患',
  hz_found: '待指派',
  hz_assigned: '整改中',
  hz_rectified: '待验收',
  hz_rejected: '验收未通过',
  hz_closed: '已闭环',
  hazardOverdue: '已超期',
  hazardPresent: '条件仍存在',
  hazardClause: '判定条款',
  hazardGrade: '等级',
  hazardWhat: '隐患内容',
  hazardDescription: '说明',
  hazardPhoto: '照片（可选）',
  hazardFound: '{t} 由 {by} 发现',
  byGateway: '网关规则',
  hazardAssigned: '责任人 {who}，期限 {due}',
  hazardRectifiedBy: '{who} 已整改',
  hazardPrevious: '前一记录 {id}',
  hazardAssignee: '整改责任人',
  hazardWithin: '整改期限',
  withinHours: '{n} 小时内',
  rectifyNote: '整改措施',
  verifyNote: '验收意见（驳回时必填）',
  presetRepaired: '已维修并试运行正常',
  presetReplaced: '已更换损坏部件',
  presetCleaned: '已清理积尘',
  fieldRequired: '请填写此项',
  step_find: '登记隐患',
  step_assign: '指派',
  step_rectify: '提交整改',
  step_verify: '验收',
  step_close: '验收通过',
  step_reject: '驳回',
  done_find: '隐患已登记',
  done_assign: '已指派',
  done_rectify: '整改已提交，待验收',
  done_verify: '验收已记录',
};

const en = {
  title: 'Firebreak dust-hazard monitor',
  otherLanguage: '中文',
  login: 'Log in',
  logout: 'Log out',
  userName: 'User name',
  password: 'Password',
  cancel: 'Cancel',
  close: 'Close',
  roleOperator: 'operator',
  roleSupervisor: 'supervisor',
  userAndRole: '{user} ({role}) · {logout}',
  navAlarms: 'Alarms',
  navPermits: 'Permits',
  navLockouts: 'Lockout',
  navValues: 'Values',
  navTrends: 'Trends',
  navSystem: 'System',
  alarms: 'Alarms',
  permits: 'Start permits',
  lockouts: 'Lockout / tagout',
  values: 'Live values',
  analogs: 'Measurements',
  contacts: 'Contacts',
  outputs: 'Outputs',
  trends: 'Trends',
  system: 'Uplink and communication',
  uplinks: 'Uplink',
  devices: 'Bus devices',
  connectionLost: 'Connection to the controller lost, reconnecting… The values shown are not live.',
  soundOff: 'Alarm sound is off: tap here to turn it on',
  soundUnavailable: 'This browser cannot play the alarm sound: watch for blinking alarms',
  silenceHorn: 'Silence',
  noAlarms: 'No active alarms',
  unackCount: '{n} unacknowledged',
  activeCount: '{n} alarms',
  stateUnack: 'Unacknowledged',
  stateAck: 'Acknowledged',
  stateRtnUnack: 'Cleared, unacknowledged',
  stateNormal: 'Normal',
  stateShelved: 'Shelved',
  stateOos: 'Out of service',
  prioCritical: 'Critical',
  prioHigh: 'High',
  prioMedium: 'Medium',
  prioLow: 'Low',
  firstOut: 'First out',
  flood: 'Alarm flood: {n} alarms within a second, first out: {name}',
  acknowledge: 'Acknowledge',
  shelve: 'Shelve',
  value: 'Value',
  limit: 'Limit',
  limitLowLow: 'low-low limit',
  limitLow: 'low limit',
  limitHigh: 'high limit',
  limitHighHigh: 'high-high limit',
  short_lowLow: 'LL',
  short_low: 'L',
  short_high: 'H',
  short_highHigh: 'HH',
  since: 'since {t}',
  at: 'at {t}',
  shelvedUntil: 'shelved until {t} ({user})',
  ackBy: 'acknowledged by {user}',
  active: 'active',
  cleared: 'cleared',
  permitOn: 'Permitted',
  permitOff: 'Blocked',
  latched: 'Latched',
  output: 'output {id}',
  outputFault: '⚠ output write failed ({reason}), retried every second since {t}; the relay\'s real state is unknown',
  outputFaultChip: 'output fault',
  holds: 'holds',
  notHolds: 'does not hold',
  heldOffBy: 'Conditions not met',
  firstOutTrip: 'First out: {text} ({t})',
  simultaneous: 'simultaneous: {list}',
  listSeparator: '; ',
  reset: 'Reset',
  resetTitle: 'Reset the interlock?',
  resetEffect: 'After the reset, output {output} permits again and {name} may start. Make sure the cause has been dealt with on site.',
  permitStripLabel: 'Start permits',
  resetNotYet: 'Not every condition holds yet; reset not possible',
  noPermits: 'No interlock permits configured',
  lockApplied: 'Locked',
  lockFree: 'Not locked',
  energySeen: 'Energy seen while locked!',
  noLockouts: 'No lockout points configured',
  quality_good: 'good',
  quality_uncertain: 'uncertain',
  quality_bad: 'bad',
  quality_comm: 'comm lost',
  quality_stale: 'stale',
  updated: 'updated {t}',
  noValue: 'no value',
  yes: 'yes',
  no: 'no',
  on: 'on',
  off: 'off',
  spark_true: 'Spark detected',
  spark_false: 'No spark',
  fault_true: 'Fault',
  fault_false: 'Normal',
  run_feedback_true: 'Running',
  run_feedback_false: 'Stopped',
  lockout_true: 'Locked',
  lockout_false: 'Not locked',
  outputOn: 'energised',
  outputOff: 'de-energised',
  trendPoint: 'Point',
  time: 'Time',
  lastHour: 'Last hour',
  lastDay: 'Last 24 h',
  noTrend: 'No data in this period',
  trendFailed: 'Could not load the trend',
  connected: 'connected',
  disconnected: 'not connected',
  pending: '{n} waiting',
  oldest: 'oldest waiting {d}',
  draining: 'Catching up: {pct}%',
  upToDate: 'all sent',
  sending: 'sending {n}',
  noUplinks: 'No uplink configured',
  deviceOk: 'OK',
  deviceFault: 'Comm fault',
  busUnit: 'bus {bus} · unit {unit}',
  transactions: 'Transactions',
  timeouts: 'Timeouts',
  crcErrors: 'CRC errors',
  exceptions: 'Exceptions',
  lastAnswer: 'Last answer',
  never: 'never',
  noDevices: 'No bus devices configured',
  shelveTitle: 'Shelve alarm',
  shelveReason: 'Reason (required)',
  shelveFor: 'Shelve for',
  shelveUntilPreview: 'Returns at {t}',
  reasonMaintenance: 'Instrument maintenance',
  reasonNuisance: 'Nuisance alarm, to be fixed',
  reasonTesting: 'Commissioning test',
  minutes: '{n} min',
  hours: '{n} h',
  loginTitle: 'Log in to act',
  loginNeeded: 'Please log in first',
  supervisorOnly: 'Shelving needs a supervisor',
  done_ack: 'Acknowledged',
  done_shelve: 'Shelved',
  done_reset: 'Reset',
  err_bad_credentials: 'Wrong user name or password',
  err_throttled: 'Too many failed logins; try again in {s} s',
  err_busy: 'Busy, please try again',
  err_no_session: 'Your session has expired; please log in again',
  err_bad_csrf: 'Session check failed; please log in again',
  err_bad_origin: 'Request refused: wrong origin',
  err_role: 'Your role may not do this',
  err_not_found: 'No longer exists',
  err_replayed: 'Duplicate request ignored',
  err_too_large: 'Input too long',
  err_invalid: 'Invalid input: {msg}',
  err_bad_json: 'Malformed request',
  err_refused: 'Controller refused: {msg}',
  err_network: 'Cannot reach the controller',
  err_other: 'Failed: {msg}',
  durS: '{s} s',
  durM: '{m} min {s} s',
  durH: '{h} h {m} min',
  durD: '{d} d {h} h',
  navHazards: 'Hazards',
  hazards: 'Hidden hazards',
  hazardCount: 'Major hazards {n}',
  hazardZero: 'No major hazard open (dynamic zero)',
  hazardOldest: 'oldest open for {age}',
  hazardTotals: 'open {open} · overdue {overdue} · to verify {verify} · closed today {closed}',
  noHazards: 'No open hidden hazard',
  gradeMajor: 'major',
  gradeGeneral: 'general',
  hz_found: 'to assign',
  hz_assigned: 'being fixed',
  hz_rectified: 'to verify',
  hz_rejected: 'rejected',
  hz_closed: 'closed',
  hazardOverdue: 'overdue',
  hazardPresent: 'still present',
  hazardClause: 'Clause',
  hazardGrade: 'Grade',
  hazardWhat: 'What was found',
  hazardDescription: 'Details',
  hazardPhoto: 'Photo (optional)',
  hazardFound: 'found {t} by {by}',
  byGateway: 'gateway rule',
  hazardAssigned: 'assigned to {who}, due {due}',
  hazardRectifiedBy: 'rectified by {who}',
  hazardPrevious: 'follows {id}',
  hazardAssignee: 'Who fixes it',
  hazardWithin: 'Deadline',
  withinHours: 'within {n} h',
  rectifyNote: 'What was done',
  verifyNote: 'Verification note (required to reject)',
  presetRepaired: 'Repaired and test-run',
  presetReplaced: 'Broken part replaced',
  presetCleaned: 'Dust cleaned up',
  fieldRequired: 'Please fill this in',
  step_find: 'Report hazard',
  step_assign: 'Assign',
  step_rectify: 'Rectified',
  step_verify: 'Verify',
  step_close: 'Pass, close',
  step_reject: 'Reject',
  done_find: 'Hazard recorded',
  done_assign: 'Assigned',
  done_rectify: 'Rectification sent for verification',
  done_verify: 'Verification recorded',
};

export const dictionaries = { 'zh-CN': zh, en };

let lang = 'zh-CN';

export function initLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled (kiosk profiles); stay in Chinese.
  }
  lang = saved === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = lang;
  return lang;
}

export function getLang() {
  return lang;
}

export function toggleLang() {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = lang;
  return lang;
}

/**
 * Text the agent sends in Chinese with an optional English twin (alarm names and messages,
 * permit conditions): the English one in English mode when the agent has it, else the Chinese.
 */
export function local(zhText, enText) {
  return lang === 'en' && enText ? enText : zhText;
}

/** Translate `key`, filling `{name}` placeholders from `params`. */
export function t(key, params = {}) {
  const dict = dictionaries[lang];
  const text = dict[key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Fill every element marked data-i18n (text), data-i18n-label (aria-label) or data-i18n-placeholder. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  document.title = t('title');
}

const pad = (n) => String(n).padStart(2, '0');

/** Local wall time: HH:MM:SS today, MM-DD HH:MM:SS on another day. */
export function fmtTime(ms, now = Date.now()) {
  if (typeof ms !== 'number') return '—';
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return time;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('durS', { s });
  if (s < 3600) return t('durM', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t('durH', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('durD', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

/** A number with at most 2 decimals (3 significant digits for small values), never in exponent form. */
export function fmtNumber(v) {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, useGrouping: false }).format(v);
}

export function fmtValue(v, unit) {
  if (v === null || v === undefined) return t('noValue');
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  return unit ? `${fmtNumber(v)} ${unit}` : fmtNumber(v);
}

const STATE_KEYS = { unack: 'stateUnack', ack: 'stateAck', rtn_unack: 'stateRtnUnack', normal: 'stateNormal', shelved: 'stateShelved', oos: 'stateOos' };
const PRIORITY_KEYS = { critical: 'prioCritical', high: 'prioHigh', medium: 'prioMedium', low: 'prioLow' };
const LIMIT_KEYS = { lowLow: 'limitLowLow', low: 'limitLow', high: 'limitHigh', highHigh: 'limitHighHigh' };

export const stateWord = (s) => t(STATE_KEYS[s] ?? s);
export const priorityWord = (p) => t(PRIORITY_KEYS[p] ?? p);
export const limitWord = (k) => (k in LIMIT_KEYS ? t(LIMIT_KEYS[k]) : t('limit'));
/** LL/L/H/HH (低低/低/高/高高) for the compact limit line under a value. */
export const limitShort = (k) => t(`short_${k}`);
export const qualityWord = (q) => t(`quality_${q}`);

/** A contact's state in plant words where the kind is known (spark, fault, run, lockout), else on/off. */
export function contactWord(kind, v) {
  if (v === null || v === undefined) return t('noValue');
  const key = `${kind}_${v ? 'true' : 'false'}`;
  return key in dictionaries[lang] ? t(key) : t(v ? 'on' : 'off');
}
