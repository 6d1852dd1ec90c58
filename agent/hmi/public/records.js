// Alarm handling feedback (处置反馈) and dust-cleaning check-ins (粉尘清扫签到): the occurrences
// still waiting for a cause and an action (on the alarm screen, overdue first), and each cleaning
// area with its state and the time its next check-in is due (on the hazard screen). The server
// decides who may; this only offers the buttons to a logged-in person.
import { h, renderIfChanged } from './dom.js';
import { fmtDuration, fmtTime, priorityWord, t } from './i18n.js';

export function renderDispositions(container, snapshot, user, onRecord) {
  const board = snapshot.dispositions;
  container.hidden = !board || board.pending.length === 0;
  if (!board) return;
  const pending = [...board.pending].sort((a, b) => (a.state === 'overdue' ? 0 : 1) - (b.state === 'overdue' ? 0 : 1) || a.t - b.t);
  const key = JSON.stringify([document.documentElement.lang, user, pending, Math.floor(snapshot.t / 60_000)]);
  renderIfChanged(container, key, () => [
    h(
      'div',
      { class: 'hz-summary' },
      h('span', { class: `badge ${board.overdue ? 'danger' : 'warn'}` }, t('dispositionCount', { n: pending.length })),
      board.overdue > 0 && h('span', {}, t('dispositionOverdueCount', { n: board.overdue })),
    ),
    h(
      'div',
      { class: 'cards disp-list' },
      pending.map((o) =>
        h(
          'article',
          { class: `card disposition${o.state === 'overdue' ? ' overdue' : ''}`, dataset: { id: o.id, state: o.state } },
          h(
            'div',
            { class: 'card-head' },
            h('span', { class: 'card-title' }, document.documentElement.lang.startsWith('zh') ? o.name : (o.nameEn ?? o.name)),
            h('span', { class: `badge prio prio-${o.priority}` }, priorityWord(o.priority)),
            o.state === 'overdue' && h('span', { class: 'badge danger' }, t('dispositionOverdue')),
          ),
          h('div', { class: 'hz-line muted' }, t('dispositionLine', { t: fmtTime(o.t, snapshot.t), due: fmtTime(o.due, snapshot.t) })),
          user && h('div', { class: 'card-actions' }, h('button', { type: 'button', class: 'btn primary', dataset: { step: 'disposition' }, onclick: () => onRecord(o) }, t('step_disposition'))),
        ),
      ),
    ),
  ]);
}

const CLEAN_ORDER = { overdue: 0, due: 1, ok: 2 };

export function renderCleaning(container, snapshot, user, onCheckIn) {
  const board = snapshot.cleaning;
  const section = container.closest('.subpanel');
  if (section) section.hidden = !board;
  if (!board) return;
  const areas = [...board.areas].sort((a, b) => CLEAN_ORDER[a.state] - CLEAN_ORDER[b.state] || a.dueAt - b.dueAt);
  const key = JSON.stringify([document.documentElement.lang, user, areas, Math.floor(snapshot.t / 60_000)]);
  renderIfChanged(container, key, () =>
    h(
      'div',
      { class: 'cards clean-list' },
      areas.map((a) =>
        h(
          'article',
          { class: `card cleaning clean-${a.state}`, dataset: { id: a.id, state: a.state } },
          h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, a.name), h('span', { class: `badge clean-badge-${a.state}` }, t(`clean_${a.state}`))),
          h('div', { class: 'hz-line' }, a.lastCleanedAt !== undefined ? t('cleanLast', { t: fmtTime(a.lastCleanedAt, snapshot.t), by: a.lastBy }) : t('cleanNever')),
          a.state === 'overdue'
            ? h('div', { class: 'hz-line' }, t('cleanOverdueFor', { age: fmtDuration(snapshot.t - a.overdueAt), h: a.everyH }))
            : h('div', { class: 'hz-line muted' }, t('cleanDue', { t: fmtTime(a.dueAt, snapshot.t), h: a.everyH })),
          user && h('div', { class: 'card-actions' }, h('button', { type: 'button', class: `btn${a.state === 'ok' ? '' : ' primary'}`, dataset: { step: 'checkin' }, onclick: () => onCheckIn(a) }, t('step_checkin'))),
        ),
      ),
    ),
  );
}
