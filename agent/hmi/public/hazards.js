// The hidden-hazard board (隐患排查整改闭环): the header's count of open major records (动态清零:
// green only at zero) and the board itself, open records first (overdue, then awaiting
// verification, then the rest), closed today last, each with the step its viewer may take.
import { h, renderIfChanged } from './dom.js';
import { fmtDuration, fmtTime, t } from './i18n.js';

const ORDER = (r) => (r.state === 'closed' ? 3 : r.overdue ? 0 : r.state === 'rectified' ? 1 : 2);

export function sortedHazards(records) {
  return [...records].sort((a, b) => ORDER(a) - ORDER(b) || b.foundAt - a.foundAt);
}

/** 重大隐患 n, and the oldest one's age while any is open; links to the board. */
export function renderHazardCount(container, snapshot) {
  const board = snapshot.hazards;
  container.hidden = !board;
  if (!board) return;
  const age = board.oldestOpenMajorSince !== undefined ? fmtDuration(snapshot.t - board.oldestOpenMajorSince) : '';
  // the age in minutes is enough here: the key changes once a minute, not every second
  const key = JSON.stringify([document.documentElement.lang, board.openMajor, age.replace(/\d+ ?(秒|s)$/, '')]);
  renderIfChanged(container, key, () =>
    h(
      'a',
      { href: '#hazards', class: `hazard-count ${board.openMajor ? 'open' : 'zero'}`, dataset: { count: String(board.openMajor) }, title: board.openMajor ? t('hazardOldest', { age }) : t('hazardZero') },
      t('hazardCount', { n: board.openMajor }),
    ),
  );
}

/** What this user may do to the record now (the server decides; this only offers the buttons). */
function steps(r, user) {
  if (!user || r.state === 'closed') return [];
  const supervisor = user.role === 'supervisor';
  const out = [];
  if (supervisor && (r.state === 'found' || r.state === 'assigned' || r.state === 'rejected')) out.push('assign');
  if ((r.state === 'assigned' || r.state === 'rejected') && r.assignee === user.name) out.push('rectify');
  if (supervisor && r.state === 'rectified' && r.rectifiedBy !== user.name) out.push('verify');
  return out;
}

function hazardCard(r, snapshot, user, handlers) {
  const badges = [
    h('span', { class: `badge grade-${r.grade}` }, t(r.grade === 'major' ? 'gradeMajor' : 'gradeGeneral')),
    h('span', { class: `badge hz-state hz-${r.state}` }, t(`hz_${r.state}`)),
    r.overdue && h('span', { class: 'badge danger' }, t('hazardOverdue')),
    r.conditionPresent && h('span', { class: 'badge present' }, t('hazardPresent')),
  ];
  const lines = [
    h('div', { class: 'hz-line' }, `${r.id} · ${t('hazardClause')} ${r.clause} · ${t('hazardFound', { t: fmtTime(r.foundAt, snapshot.t), by: r.foundBy === 'gateway' ? t('byGateway') : r.foundBy })}`),
    r.description && h('div', { class: 'hz-line muted' }, r.description),
    r.assignee && h('div', { class: 'hz-line' }, t('hazardAssigned', { who: r.assignee, due: r.due ? fmtTime(r.due, snapshot.t) : '—' })),
    r.rectifiedBy && r.state === 'rectified' && h('div', { class: 'hz-line' }, t('hazardRectifiedBy', { who: r.rectifiedBy })),
    r.previous && h('div', { class: 'hz-line muted' }, t('hazardPrevious', { id: r.previous })),
    r.photos.length > 0 &&
      h('div', { class: 'hz-photos' }, r.photos.map((p) => h('a', { href: `/api/hazards/photos/${encodeURIComponent(p)}`, target: '_blank' }, h('img', { src: `/api/hazards/photos/${encodeURIComponent(p)}`, alt: t('hazardPhoto'), loading: 'lazy' })))),
  ];
  const actions = steps(r, user).map((s) => h('button', { type: 'button', class: `btn${s === 'verify' || s === 'rectify' ? ' primary' : ''}`, dataset: { step: s }, onclick: () => handlers[s](r) }, t(`step_${s}`)));
  return h(
    'article',
    { class: `card hazard${r.overdue ? ' overdue' : ''} hz-${r.state}`, dataset: { id: r.id, state: r.state } },
    h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, r.title), badges),
    lines,
    actions.length > 0 && h('div', { class: 'card-actions' }, actions),
  );
}

export function renderHazards(container, snapshot, user, handlers) {
  const board = snapshot.hazards;
  const section = container.closest('section');
  if (section) section.hidden = !board;
  if (!board) return;
  const records = sortedHazards(board.records);
  const key = JSON.stringify([document.documentElement.lang, user, records, Math.floor(snapshot.t / 60_000)]);
  renderIfChanged(container, key, () => [
    h(
      'div',
      { class: 'hz-summary' },
      h('span', { class: `badge ${board.openMajor ? 'danger' : 'ok'}` }, t('hazardCount', { n: board.openMajor })),
      h('span', {}, t('hazardTotals', { open: board.open, overdue: board.overdue, verify: board.awaitingVerification, closed: board.closedToday })),
      user && h('button', { type: 'button', id: 'hazard-new', class: 'btn', onclick: () => handlers.find() }, t('step_find')),
    ),
    records.length ? h('div', { class: 'cards hz-list' }, records.map((r) => hazardCard(r, snapshot, user, handlers))) : h('p', { class: 'empty' }, t('noHazards')),
  ]);
}
