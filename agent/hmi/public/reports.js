// The 报表 tab: the briefing before a shift (班前风险预判: the last shift's risk level and its
// reasons, the running shift so far, the early warnings now), its signature by the team leader,
// and the printable reports of this shift, today, this week and this month (the same HTML
// `firebreak report` writes, opened in a tab of their own to print). Shown only where the
// snapshot says the agent keeps digests.
import * as api from './api.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { fmtNumber, fmtTime, limitWord, local, t } from './i18n.js';

const PERIODS = ['shift', 'day', 'week', 'month'];

function digestCard(d, titleKey, now) {
  return h(
    'article',
    { class: `card digest risk-${d.risk}`, dataset: { id: d.id, risk: d.risk } },
    h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, `${t(titleKey)} · ${d.name}`), h('span', { class: `badge risk-badge-${d.risk}` }, t(`risk_${d.risk}`))),
    h('div', { class: 'hz-line muted' }, `${fmtTime(d.from, now)} – ${fmtTime(d.to, now)}`),
    d.reasons.length ? h('ul', { class: 'reasons' }, d.reasons.map((r) => h('li', {}, r.text))) : h('div', { class: 'hz-line' }, t('riskNoReason')),
  );
}

export function createReports({ section, board, navLink, toast }) {
  let briefing = null;
  let state = 'unknown';

  function render() {
    const now = Date.now();
    const user = api.session.user;
    if (!briefing) return;
    const forecasts = briefing.forecasts.filter((f) => f.hours !== undefined);
    board.replaceChildren(
      h('h3', {}, t('briefing')),
      h('div', { class: 'cards' }, digestCard(briefing.lastShift, 'lastShift', now), digestCard(briefing.current, 'thisShift', now)),
      briefing.hazards &&
        h('p', { class: `briefing-hazards ${briefing.hazards.openMajor ? 'danger-text' : ''}`, dataset: { openMajor: String(briefing.hazards.openMajor) } }, t('briefingHazards', briefing.hazards)),
      briefing.tickets &&
        h(
          'div',
          { class: 'briefing-tickets' },
          h('h3', {}, local('未关闭的作业票', 'Tickets not yet closed')),
          briefing.tickets.length
            ? h('ul', {}, briefing.tickets.map((k) => h('li', { class: k.state === 'evacuate' ? 'danger-text' : '', dataset: { ticket: k.id } }, `${k.id} · ${k.place} · ${k.state}${k.kind === 'confined_space' ? ` · ${local('空间内', 'inside')} ${k.inside}` : ''}`)))
            : h('p', { class: 'empty' }, local('无', 'none')),
        ),
      h('h3', {}, t('earlyWarnings')),
      forecasts.length
        ? h('ul', { class: 'forecasts' }, forecasts.map((f) => h('li', { dataset: { point: f.point } }, t('forecastLine', { point: f.point, h: fmtNumber(f.hours), limit: limitWord(f.limit), v: fmtNumber(f.limitValue) }))))
        : h('p', { class: 'empty' }, t('noForecast')),
      user?.role === 'supervisor' &&
        h('div', { class: 'card-actions' }, h('button', { type: 'button', class: 'btn primary', id: 'briefing-sign', onclick: sign }, t('signBriefing', { name: briefing.lastShift.name }))),
      h('h3', {}, t('reports')),
      h('div', { class: 'presets report-links' }, PERIODS.map((p) => h('a', { class: 'btn', href: `/api/report?period=${p}`, target: '_blank', rel: 'noopener', dataset: { period: p } }, t(`report_${p}`)))),
    );
  }

  async function sign() {
    try {
      await api.signBriefing(briefing.lastShift.id);
      toast(t('done_sign'), 'info');
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  async function load() {
    if (state !== 'on') return;
    try {
      briefing = await api.briefing();
    } catch (err) {
      board.replaceChildren(h('p', { class: 'error' }, errorText(err)));
      return;
    }
    render();
  }

  // the running shift's figures move: read again each minute while the tab is open
  setInterval(() => {
    if (state === 'on' && window.location.hash === '#reports') void load();
  }, 60_000);
  window.addEventListener('hashchange', () => window.location.hash === '#reports' && load());
  return {
    relabel: render,
    refresh: load,
    /** a snapshot arrived: show the tab where the agent keeps digests, and load the briefing once */
    update(snapshot) {
      const on = snapshot.digests === true;
      section.hidden = !on;
      navLink.hidden = !on;
      if (on && state !== 'on') {
        state = 'on';
        void load();
      } else if (!on) state = 'off';
    },
  };
}
