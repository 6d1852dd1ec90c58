// The permits board (which condition holds each permit off, since when, the first-out of the
// trip, reset for latched ones), the header's strip of permit states, and the lockout board.
import { h, renderIfChanged } from './dom.js';
import { fmtTime, local, t } from './i18n.js';

function permitCard(p, onReset) {
  const failing = p.conditions.filter((c) => !c.holds);
  // The first-out names the other conditions that failed at the same instant by key: show their words.
  const conditionText = (key) => {
    const c = p.conditions.find((x) => x.key === key);
    return c ? local(c.text, c.textEn) : key;
  };
  return h(
    'article',
    { class: `card permit ${p.on ? 'is-on' : 'is-off'}${p.latched ? ' is-latched' : ''}`, dataset: { id: p.id } },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: 'card-title' }, p.name ?? p.id),
      // with the relay unwritable the rule's intent is not the relay's state: say so instead
      p.outputFault
        ? h('span', { class: 'badge permit-state off' }, `⚠ ${t('outputFaultChip')}`)
        : h('span', { class: `badge permit-state ${p.on ? 'on' : 'off'}` }, p.on ? `● ${t('permitOn')}` : `○ ${t('permitOff')}`),
      p.latched ? h('span', { class: 'badge latched' }, t('latched')) : null,
    ),
    h('div', { class: 'muted small' }, t('output', { id: p.output })),
    p.outputFault ? h('div', { class: 'badge danger output-fault' }, t('outputFault', { reason: p.outputFault.reason, t: fmtTime(p.outputFault.since) })) : null,
    p.firstOut
      ? h(
          'div',
          { class: 'first-out-line' },
          `★ ${t('firstOutTrip', { text: local(p.firstOut.text, p.firstOut.textEn), t: fmtTime(p.firstOut.t) })}`,
          p.firstOut.simultaneous.length
            ? h('span', { class: 'muted' }, ` ${t('simultaneous', { list: p.firstOut.simultaneous.map(conditionText).join(t('listSeparator')) })}`)
            : null,
        )
      : null,
    h(
      'ul',
      { class: 'conditions' },
      p.conditions.map((c) =>
        h(
          'li',
          { class: `condition ${c.holds ? 'holds' : 'fails'}`, dataset: { key: c.key } },
          h('span', { class: 'mark', 'aria-label': c.holds ? t('holds') : t('notHolds') }, c.holds ? '✓' : '✗'),
          h('span', { class: 'condition-text' }, local(c.text, c.textEn)),
          !c.holds && c.since ? h('span', { class: 'since' }, t('since', { t: fmtTime(c.since) })) : null,
        ),
      ),
    ),
    p.latched
      ? h(
          'div',
          { class: 'card-actions' },
          h('button', { class: 'btn primary', type: 'button', 'data-action': 'reset', disabled: !p.resettable, onclick: () => onReset(p) }, t('reset')),
          !p.resettable ? h('span', { class: 'muted small' }, failing.length ? t('resetNotYet') : '') : null,
        )
      : null,
  );
}

export function renderPermits(container, snapshot, onReset) {
  const key = JSON.stringify([document.documentElement.lang, snapshot.permits]);
  renderIfChanged(container, key, () =>
    snapshot.permits.length === 0 ? h('p', { class: 'empty' }, t('noPermits')) : snapshot.permits.map((p) => permitCard(p, onReset)),
  );
}

/** In the header, on every screen: which machine may run now, one chip per permit. */
export function renderPermitStrip(container, snapshot) {
  const key = JSON.stringify([document.documentElement.lang, snapshot.permits.map((p) => [p.id, p.name, p.on, p.latched, Boolean(p.outputFault)])]);
  renderIfChanged(container, key, () =>
    snapshot.permits.map((p) =>
      h(
        'a',
        { href: '#permits', class: `permit-chip ${p.outputFault ? 'fault' : p.on ? 'on' : 'off'}`, dataset: { id: p.id } },
        h('span', { class: 'permit-chip-name' }, p.name ?? p.id),
        h(
          'span',
          { class: 'permit-chip-state' },
          p.outputFault ? `⚠ ${t('outputFaultChip')}` : `${p.on ? `● ${t('permitOn')}` : `○ ${t('permitOff')}`}${p.latched ? ` · ${t('latched')}` : ''}`,
        ),
      ),
    ),
  );
}

export function renderLockouts(container, snapshot) {
  const key = JSON.stringify([document.documentElement.lang, snapshot.lockouts]);
  renderIfChanged(container, key, () =>
    snapshot.lockouts.length === 0
      ? h('p', { class: 'empty' }, t('noLockouts'))
      : snapshot.lockouts.map((l) =>
          h(
            'article',
            { class: `card lockout${l.applied ? ' applied' : ''}${l.energySeen ? ' energy' : ''}`, dataset: { id: l.id } },
            h(
              'header',
              { class: 'card-head' },
              h('span', { class: 'card-title' }, l.name ?? l.id),
              h('span', { class: `badge ${l.applied ? 'locked' : 'free'}` }, l.applied ? `■ ${t('lockApplied')}` : t('lockFree')),
            ),
            l.applied && l.since ? h('div', { class: 'small' }, t('since', { t: fmtTime(l.since) })) : null,
            l.energySeen ? h('div', { class: 'badge danger' }, `⚠ ${t('energySeen')}`) : null,
          ),
        ),
  );
}
