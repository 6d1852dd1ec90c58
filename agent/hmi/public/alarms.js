// The alarm list in ISA-18.2 terms: state, priority, first-out, time, value against its limit,
// and the acknowledge and shelve buttons. Present alarms sort first; unacknowledged ones blink.
import { h, renderIfChanged } from './dom.js';
import { fmtTime, fmtValue, limitWord, local, priorityWord, stateWord, t } from './i18n.js';

const PRIORITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 };
/** present and showing, then returned to normal, then set aside (shelved, out of service) */
const presence = (a) => (a.state === 'shelved' || a.state === 'oos' ? 2 : a.active ? 0 : 1);

/**
 * Alarms an operator must see: everything but `normal`. Present before returned-to-normal,
 * acknowledged or not (an acknowledged critical alarm still present outranks a cleared one);
 * within each, a flood's first-out (the cause the others follow from, ISA-18.2 §16), then
 * priority, then newest first. The agent's alarm list sorts the same way (listOrder).
 */
export function visibleAlarms(alarms) {
  return alarms
    .filter((a) => a.state !== 'normal')
    .sort(
      (a, b) =>
        presence(a) - presence(b) ||
        Number(!!b.firstOut) - Number(!!a.firstOut) ||
        (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) ||
        b.t - a.t,
    );
}

function unitOf(snapshot, source) {
  return [...snapshot.points, ...snapshot.contacts].find((p) => p.id === source)?.unit;
}

function alarmRow(a, snapshot, user, handlers) {
  const unit = unitOf(snapshot, a.source);
  const canAck = a.state === 'unack' || a.state === 'rtn_unack';
  const canShelve = (a.state === 'unack' || a.state === 'ack' || a.state === 'rtn_unack') && a.shelvable !== false && user?.role !== 'operator';
  // A contact alarm's value (true) or a missing one adds nothing the name does not say.
  const valueText =
    typeof a.value === 'number'
      ? `${t('value')} ${fmtValue(a.value, unit)}` + (a.limit !== undefined ? ` / ${limitWord(a.limitKind)} ${fmtValue(a.limit, unit)}` : '')
      : null;
  const notes = [
    a.active ? t('active') : t('cleared'),
    a.ackBy ? t('ackBy', { user: a.ackBy }) : null,
    a.state === 'shelved' && a.shelvedUntil ? t('shelvedUntil', { t: fmtTime(a.shelvedUntil), user: a.shelvedBy ?? '—' }) : null,
  ].filter(Boolean);

  return h(
    'li',
    { class: `alarm prio-${a.priority} state-${a.state}${a.firstOut ? ' first-out' : ''}`, dataset: { id: a.id }, 'data-state': a.state },
    h(
      'div',
      { class: 'alarm-head' },
      // Time first, as alarm lists print it: at the end it wrapped onto a line of its own under a long name.
      h('time', { class: 'alarm-time', datetime: new Date(a.t).toISOString() }, fmtTime(a.t)),
      h('span', { class: `chip prio prio-${a.priority}` }, priorityWord(a.priority)),
      h('span', { class: `badge state state-${a.state}` }, stateWord(a.state)),
      a.firstOut ? h('span', { class: 'badge first-out-mark', title: t('firstOut') }, `★ ${t('firstOut')}`) : null,
      h('span', { class: 'alarm-name' }, local(a.name, a.nameEn)),
    ),
    h(
      'div',
      { class: 'alarm-body' },
      h('span', { class: 'alarm-msg' }, local(a.message, a.messageEn)),
      valueText ? h('span', { class: 'alarm-value' }, valueText) : null,
      h('span', { class: 'alarm-notes' }, notes.join(' · ')),
    ),
    canAck || canShelve
      ? h(
          'div',
          { class: 'alarm-actions' },
          canAck ? h('button', { class: 'btn primary', type: 'button', 'data-action': 'ack', onclick: () => handlers.ack(a) }, t('acknowledge')) : null,
          canShelve ? h('button', { class: 'btn', type: 'button', 'data-action': 'shelve', onclick: () => handlers.shelve(a) }, t('shelve')) : null,
        )
      : null,
  );
}

export function renderAlarms(container, snapshot, user, handlers) {
  const alarms = visibleAlarms(snapshot.alarms);
  // A flood banner while its first-out is still on the list: the cause and the count come first.
  const leader = snapshot.flood && alarms.find((a) => a.id === snapshot.flood.leader && a.firstOut);
  const key = JSON.stringify([document.documentElement.lang, user?.role ?? null, alarms, alarms.map((a) => unitOf(snapshot, a.source)), leader ? snapshot.flood : null]);
  renderIfChanged(container, key, () =>
    alarms.length === 0
      ? h('p', { class: 'empty' }, t('noAlarms'))
      : h(
          'div',
          {},
          leader ? h('p', { class: 'flood-banner', role: 'alert' }, t('flood', { n: snapshot.flood.count, name: local(leader.name, leader.nameEn) })) : null,
          h('ul', { class: 'alarm-list' }, alarms.map((a) => alarmRow(a, snapshot, user, handlers))),
        ),
  );
}

/** The header's count: unacknowledged (blinking) and all active alarms, tap to jump to the list. */
export function renderSummary(container, snapshot) {
  const alarms = visibleAlarms(snapshot.alarms);
  const unack = alarms.filter((a) => a.state === 'unack' || a.state === 'rtn_unack');
  const byPriority = (list) => list.map((a) => a.priority).sort((x, y) => (PRIORITY_ORDER[x] ?? 9) - (PRIORITY_ORDER[y] ?? 9))[0];
  const worst = byPriority(unack) ?? byPriority(alarms);
  const key = JSON.stringify([document.documentElement.lang, unack.length, alarms.length, worst]);
  renderIfChanged(container, key, () =>
    h(
      'a',
      { href: '#alarms', class: `summary-link${unack.length ? ` has-unack prio-${worst}` : alarms.length ? ' has-active' : ''}` },
      unack.length ? t('unackCount', { n: unack.length }) : alarms.length ? t('activeCount', { n: alarms.length }) : t('noAlarms'),
    ),
  );
}
