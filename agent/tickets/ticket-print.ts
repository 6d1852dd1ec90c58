/**
 * The filled-in work ticket (作业票) as a printable page: the space or area, the work, the
 * people, each check with its time and readings, and the signatures by name, from the ticket and
 * its events. One HTML document, its own styles, no script (the page serves it with a CSP that
 * allows none).
 */
import { esc } from '../core/html.js';
import type { PlantEvent } from '../core/types.js';
import type { GasReading } from './entry-machine.js';
import type { Ticket } from './ticket.js';

const STATE_ZH: Record<string, string> = {
  opened: '开票',
  refused: '拒绝',
  tested: '气体检测',
  entry_permitted: '准许作业',
  entered: '进入',
  exited: '撤出',
  suspended: '暂停',
  evacuate: '撤离',
  closed: '关闭',
};

export interface PrintContext {
  place: string;
  timeZone?: string;
  /** point id → its name and unit, for the readings */
  pointName: (id: string) => string;
}

export function ticketHtml(t: Ticket, history: readonly PlantEvent[], ctx: PrintContext): string {
  const time = (ms: number | undefined) => (ms === undefined ? '—' : new Intl.DateTimeFormat('zh-CN', { timeZone: ctx.timeZone ?? 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms));
  const title = t.kind === 'confined_space' ? '有限空间作业票 Confined-space entry ticket' : '动火作业票 Hot-work ticket';
  const people =
    t.kind === 'confined_space'
      ? [['作业负责人 In charge', t.inCharge], ['监护人 Attendant', t.attendant], ['作业人员 Entrants', t.entrants.join('、')], ['曾进入 Were inside', t.wasInside.join('、') || '—'], ['现在内 Inside now', t.inside.join('、') || '—']]
      : [['作业负责人 In charge', t.inCharge], ['动火人 Worker', t.worker], ['有效至 Lapses', time(t.permit?.lapsesAt)]];
  const rows = history.map((e) => {
    const readings = (e.detail?.['readings'] as GasReading[] | undefined) ?? [];
    const reason = (e.detail?.['reason'] ?? e.detail?.['cause']) as { zh: string; en: string } | undefined;
    const person = e.detail?.['person'] as string | undefined;
    const what = [
      readings.length ? readings.map((r) => `${esc(ctx.pointName(r.name))} ${esc(r.value)}${r.portable ? '（便携）' : ''} ${r.ok ? '✓' : '✗ 超限'}`).join('<br>') : '',
      person ? `${esc(person)}` : '',
      typeof e.detail?.['count'] === 'number' && (e.state === 'entered' || e.state === 'exited' || e.state === 'evacuate') ? `内 ${esc(e.detail['count'])} 人` : '',
      reason ? `${esc(reason.zh)} / ${esc(reason.en)}` : '',
      e.detail?.['pass'] === false ? '<b>不合格 failed</b>' : e.detail?.['pass'] === true ? '合格 passed' : '',
    ].filter(Boolean).join('<br>');
    return `<tr class="${esc(e.state)}"><td>${esc(time(e.t))}</td><td>${esc(STATE_ZH[e.state ?? ''] ?? e.state)}<br><small>${esc(e.state)}</small></td><td>${what}</td><td class="sign">${esc(e.by ?? '')}</td></tr>`;
  });
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(t.id)} ${esc(title)}</title>
<style>
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:16px;color:#111;font-size:14px}
h1{font-size:20px;margin:0 0 4px}
table{border-collapse:collapse;width:100%;margin-top:10px}
th,td{border:1px solid #444;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee;width:28%}
.evacuate td,.refused td{background:#fde2e2}
.sign{font-weight:bold;white-space:nowrap}
small{color:#555}
.foot{margin-top:18px;display:flex;gap:40px}
@media print{body{margin:8mm}}
</style></head><body>
<h1>${esc(title)}</h1>
<div>编号 No. <b>${esc(t.id)}</b> · 状态 ${esc(STATE_ZH[t.state] ?? t.state)} (${esc(t.state)})</div>
<table>
<tr><th>作业地点 Place</th><td>${esc(ctx.place)}</td></tr>
<tr><th>作业内容 Work</th><td>${esc(t.work)}</td></tr>
<tr><th>开票 Opened</th><td>${esc(time(t.openedAt))} · ${esc(t.openedBy)}</td></tr>
${people.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
<tr><th>关闭 Closed</th><td>${esc(time(t.closedAt))}${t.closedBy ? ` · ${esc(t.closedBy)}` : ''}${t.kind === 'hot_work' && t.lapsed ? ' （到期自动关闭 lapsed）' : ''}</td></tr>
${t.refusal ? `<tr class="refused"><th>拒绝原因 Refused</th><td>${esc(t.refusal.reason.zh)} / ${esc(t.refusal.reason.en)}</td></tr>` : ''}
</table>
<table>
<tr><th style="width:20%">时间 Time</th><th style="width:14%">步骤 Step</th><th>检查与读数 Checks and readings</th><th style="width:14%">签名 By</th></tr>
${rows.join('\n')}
</table>
<div class="foot"><div>作业负责人签字：${esc(t.inCharge)}</div>${t.kind === 'confined_space' ? `<div>监护人签字：${esc(t.attendant)}</div>` : `<div>动火人签字：${esc(t.worker)}</div>`}<div>审批人：${esc(t.openedBy)}</div></div>
</body></html>`;
}
