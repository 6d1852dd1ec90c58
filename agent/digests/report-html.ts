/**
 * The printable report (`firebreak report`): Chinese first, A4, the risk level and its reasons
 * at the top, then the tables of every figure and a chart per analog point with its limits.
 */
import { esc } from '../core/html.js';
import type { Digest, PointFigures } from './digest.js';
import type { Calendar } from './periods.js';
import { pointChart, type ShiftPoint } from './report-chart.js';
import { LEVEL_NAMES } from './risk-rules.js';

const KIND: Record<Digest['period'], string> = { shift: '班组日预判 (班次)', day: '日报', week: '企业周预判', month: '区级月预判' };
const COLOUR: Record<Digest['risk'], string> = { red: '#c62828', orange: '#ef6c00', yellow: '#f9a825', blue: '#1565c0' };
const LIMIT: Record<string, string> = { lowLow: '低低限', low: '低限', high: '高限', highHigh: '高高限' };

const nc = '未配置 / not configured';
const v = (x: number | null | undefined, unit = ''): string => (x === null || x === undefined ? '—' : `${x}${unit}`);

export interface ReportInput {
  digest: Digest;
  siteName: string;
  gateway: string;
  calendar: Calendar;
  /** each shift's own digest, for the charts */
  shifts: Digest[];
  generatedAt: number;
}

export function reportHtml(r: ReportInput): string {
  const d = r.digest;
  const f = d.figures;
  const cal = r.calendar;
  const rows = (cells: unknown[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  const table = (head: string[], body: unknown[][]) => `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.length > 0 ? rows(body) : `<tr><td colspan="${head.length}">无 / none</td></tr>`}</tbody></table>`;
  const limitsText = (p: PointFigures) => Object.entries(p.beyondMin).map(([k, m]) => `${LIMIT[k] ?? k} ${p.limits[k as keyof PointFigures['limits']]}: ${m} 分钟`).join('; ') || '—';
  const charts = f.points
    .map((p) =>
      pointChart(
        p.name,
        p.unit,
        p.limits,
        r.shifts.map<ShiftPoint>((s) => ({ label: d.period === 'shift' ? s.name : d.period === 'day' ? s.name : cal.local(s.from).slice(5, 10), figures: s.figures.points.find((x) => x.id === p.id) })),
      ),
    )
    .join('');
  const section = (title: string, body: string) => `<section><h2>${esc(title)}</h2>${body}</section>`;
  const maybe = <T>(x: T | 'not configured', render: (x: T) => string) => (x === 'not configured' ? `<span class="nc">${nc}</span>` : render(x));
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(KIND[d.period])} ${esc(d.name)} — ${esc(r.siteName)}</title>
<style>
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; color: #222; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4px; } h2 { font-size: 12pt; margin: 14px 0 4px; border-bottom: 1px solid #999; }
.risk { border: 3px solid ${COLOUR[d.risk]}; padding: 8px 12px; margin: 10px 0; page-break-inside: avoid; }
.risk .level { font-size: 15pt; font-weight: bold; color: ${COLOUR[d.risk]}; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 2px 5px; text-align: left; font-size: 9.5pt; }
th { background: #eee; } .nc, .nodata { color: #777; }
figure { margin: 6px 0; page-break-inside: avoid; } figcaption { font-weight: bold; font-size: 9.5pt; }
svg .limit { stroke: #c62828; stroke-dasharray: 4 3; stroke-width: 1; } svg .bar { stroke: #1565c0; stroke-width: 5; }
svg .bar.beyond { stroke: #c62828; } svg .mean { fill: #222; } svg .ax { font-size: 9px; fill: #555; }
</style></head><body>
<h1>${esc(KIND[d.period])}: ${esc(d.name)}</h1>
<div>${esc(r.siteName)} · 网关 ${esc(r.gateway)} · ${esc(cal.local(d.from))} – ${esc(cal.local(d.to))} (${esc(cal.timeZone)}) · 编号 ${esc(d.id)}</div>
<div class="risk"><div class="level">风险等级: ${esc(LEVEL_NAMES[d.risk])} / risk ${esc(d.risk)}</div>
${d.reasons.length > 0 ? `<ol>${d.reasons.map((x) => `<li>[${esc(LEVEL_NAMES[x.level])}] ${esc(x.text)}</li>`).join('')}</ol>` : '<p>无触发规则 / no rule holds</p>'}</div>
${section('监测点 / Points', table(['点位 point', '最小 min', '最大 max', '平均 mean', '超限时间 time beyond', '数据完整率 completeness'], f.points.map((p) => [`${p.name} (${p.id})`, v(p.min, ` ${p.unit}`), v(p.max, ` ${p.unit}`), v(p.mean, ` ${p.unit}`), limitsText(p), `${p.completenessPct}% (${p.goodSamples}/${p.samples} 样本, 应采 ${p.expectedPolls})`])))}
${section('报警 / Alarms', table(['紧急 critical', '高 high', '中 medium', '低 low', '泛滥 floods', '确认中位 median ack', '最长确认 worst ack'], [[f.alarms.byPriority.critical, f.alarms.byPriority.high, f.alarms.byPriority.medium, f.alarms.byPriority.low, f.alarms.floods, v(f.alarms.ackMedianMin, ' 分钟'), v(f.alarms.ackWorstMin, ' 分钟')]]) + table(['最频繁报警 most frequent', '次数 count'], f.alarms.top.map((t) => [t.alarm, t.count])) + `<p>处置反馈 / dispositions: ${maybe(f.dispositions, (x) => `已记录 ${x.recorded}, 逾期 ${x.overdue}`)}</p>`)}
${section('联锁与上锁 / Interlocks and lockouts', table(['时间 time', '联锁 interlock', '首出原因 first out'], f.trips.map((t) => [cal.local(t.t), t.interlock, t.firstOut])) + table(['时间 time', '复位 reset', '复位人 by'], f.resets.map((x) => [cal.local(x.t), x.interlock, x.by])) + `<p>上锁 ${f.lockouts.applied} 次, 上锁期间带电 ${f.lockouts.energyWhileLocked} 次; 防护失效 ${f.protectionUnavailableMin} 分钟 (其中生产中 ${f.productionUnavailableMin} 分钟)</p>`)}
${section('闭环记录 / Closed loop', `<p>隐患 / hazards: ${maybe(f.hazards, (h) => `发现 ${h.found}, 关闭 ${h.closed}, 期末未关闭 ${h.openAtEnd}, 逾期 ${h.overdue} (重大 ${h.majorOverdue}), 最久 ${v(h.oldestOpenH, ' 小时')}`)}</p><p>粉尘清理 / cleaning: ${maybe(f.cleaning, (c) => `完成 ${c.done} / 应完成 ${c.due}, 逾期 ${c.overdue}`)}</p><p>作业票 / tickets: ${maybe(f.tickets, (t) => `${Object.entries(t.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || '0'}; 拒绝 ${t.refused}; 撤离 ${t.evacuations}`)}</p><p>上传 / uplink: ${maybe(f.uplink, (u) => `可用率 ${u.availabilityPct}%, 最大积压 ${u.maxBacklog}`)}</p><p>趋势预警 / early warnings: ${maybe(f.earlyWarnings, (e) => `${e.raised} 次 ${e.points.join(', ')}`)}</p><p>网关运行 / gateway running: ${f.runningPct}%</p>`)}
${section('趋势 / Charts', charts)}
<p class="nc">生成于 ${esc(cal.local(r.generatedAt))} · Firebreak · 规则见 docs/DIGESTS.md</p>
</body></html>
`;
}
