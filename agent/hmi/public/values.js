// Live values and contacts with their quality. A value whose quality is not good must never look
// like a good one: it is greyed, struck through and carries the quality word as a badge.
import { h, renderIfChanged } from './dom.js';
import { contactWord, fmtNumber, fmtTime, fmtValue, limitShort, limitWord, qualityWord, t } from './i18n.js';

const isGood = (q) => q === 'good';

function qualityBadge(p) {
  if (isGood(p.q)) return null;
  return h('span', { class: `badge quality q-${p.q}` }, `⚠ ${qualityWord(p.q)}`);
}

/** Which limit a good numeric value is beyond, if any (for the ▲/▼ marker next to it). */
function beyond(p) {
  if (!isGood(p.q) || typeof p.v !== 'number' || !p.limits) return null;
  const l = p.limits;
  if (l.highHigh !== undefined && p.v >= l.highHigh) return 'highHigh';
  if (l.high !== undefined && p.v >= l.high) return 'high';
  if (l.lowLow !== undefined && p.v <= l.lowLow) return 'lowLow';
  if (l.low !== undefined && p.v <= l.low) return 'low';
  return null;
}

/** `低低 150 · 低 300 · 高 1800 · 高高 2500`, each limit kept on one line (a wrap inside 高高 reads as two limits). */
function limitsLine(p) {
  if (!p.limits) return null;
  const parts = ['lowLow', 'low', 'high', 'highHigh']
    .filter((k) => p.limits[k] !== undefined)
    .map((k, i) => [i > 0 ? ' · ' : null, h('span', { class: 'v-limit' }, `${limitShort(k)} ${fmtNumber(p.limits[k])}`)]);
  return parts.length ? parts : null;
}

function pointCard(p) {
  const over = beyond(p);
  return h(
    'div',
    { class: `value-card q-${p.q}${over ? ` beyond ${over}` : ''}`, dataset: { id: p.id }, 'data-quality': p.q },
    h('div', { class: 'v-name' }, p.name ?? p.id),
    h(
      'div',
      { class: 'v-line' },
      h('span', { class: 'v-value' }, typeof p.v === 'number' ? fmtNumber(p.v) : fmtValue(p.v)),
      p.unit ? h('span', { class: 'v-unit' }, p.unit) : null,
      over ? h('span', { class: 'v-beyond' }, `${over.startsWith('high') ? '▲' : '▼'} ${limitWord(over)}`) : null,
      qualityBadge(p),
    ),
    h('div', { class: 'v-meta' }, isGood(p.q) ? limitsLine(p) : t('updated', { t: fmtTime(p.t) })),
  );
}

function contactCard(p) {
  const abnormal = isGood(p.q) && p.v === true && (p.kind === 'spark' || p.kind === 'fault');
  return h(
    'div',
    { class: `value-card contact q-${p.q}${abnormal ? ' abnormal' : ''}`, dataset: { id: p.id }, 'data-quality': p.q },
    h('div', { class: 'v-name' }, p.name ?? p.id),
    h('div', { class: 'v-line' }, h('span', { class: `v-value ${p.v ? 'is-true' : 'is-false'}` }, contactWord(p.kind, p.v)), qualityBadge(p)),
    isGood(p.q) ? null : h('div', { class: 'v-meta' }, t('updated', { t: fmtTime(p.t) })),
  );
}

export function renderValues(containers, snapshot) {
  const lang = document.documentElement.lang;
  renderIfChanged(containers.points, JSON.stringify([lang, snapshot.points]), () => snapshot.points.map(pointCard));
  renderIfChanged(containers.contacts, JSON.stringify([lang, snapshot.contacts]), () => snapshot.contacts.map(contactCard));
  renderIfChanged(containers.outputs, JSON.stringify([lang, snapshot.outputs]), () =>
    snapshot.outputs.map((o) =>
      h(
        'div',
        { class: `value-card output ${o.on ? 'is-on' : 'is-off'}`, dataset: { id: o.id } },
        h('div', { class: 'v-name' }, o.name ?? o.id),
        h('div', { class: 'v-line' }, h('span', { class: 'v-value' }, o.on ? `● ${t('outputOn')}` : `○ ${t('outputOff')}`)),
      ),
    ),
  );
}
