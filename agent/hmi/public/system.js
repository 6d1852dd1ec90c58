// Uplink and buffer status (with a progress bar while a backlog drains) and bus health per device.
import { h, renderIfChanged } from './dom.js';
import { fmtDuration, fmtTime, t } from './i18n.js';

// Largest backlog seen since each uplink was last empty: the bar shows how much of it is sent.
const peaks = new Map();
// A message or two in flight, its acknowledgement on the way, is normal sending, not a backlog;
// the oldest waiting this long (a slow cellular round trip is about 1 s) means the uplink is behind.
const BACKLOG_MS = 3000;

const isBacklog = (u) => u.pending > 0 && (peaks.has(u.name) || (u.oldestPendingMs ?? 0) >= BACKLOG_MS);

function drainProgress(u) {
  if (u.pending === 0) {
    peaks.delete(u.name);
    return null;
  }
  if (!isBacklog(u)) return null;
  const peak = Math.max(peaks.get(u.name) ?? 0, u.pending);
  peaks.set(u.name, peak);
  if (!u.connected) return null;
  return Math.floor(((peak - u.pending) / peak) * 100);
}

function pendingText(u) {
  if (u.pending === 0) return t('upToDate');
  if (!isBacklog(u)) return t('sending', { n: u.pending });
  return t('pending', { n: u.pending }) + (u.oldestPendingMs !== null ? ` · ${t('oldest', { d: fmtDuration(u.oldestPendingMs) })}` : '');
}

function uplinkCard(u, pct) {
  return h(
    'article',
    { class: `card uplink ${u.connected ? 'up' : 'down'}`, dataset: { name: u.name } },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: 'card-title' }, u.name),
      h('span', { class: `badge ${u.connected ? 'ok' : 'bad'}` }, u.connected ? `● ${t('connected')}` : `○ ${t('disconnected')}`),
    ),
    h('div', { class: 'small' }, pendingText(u)),
    pct !== null
      ? h(
          'div',
          { class: 'drain' },
          h('progress', { max: 100, value: pct, 'aria-label': t('draining', { pct }) }),
          h('span', { class: 'small' }, t('draining', { pct })),
        )
      : null,
  );
}

function deviceCard(d) {
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, String(value))];
  return h(
    'article',
    { class: `card device ${d.ok ? 'ok' : 'fault'}`, dataset: { id: d.id } },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: 'card-title' }, d.id),
      h('span', { class: `badge ${d.ok ? 'ok' : 'bad'}` }, d.ok ? `● ${t('deviceOk')}` : `⚠ ${t('deviceFault')}`),
    ),
    h('div', { class: 'muted small' }, t('busUnit', { bus: d.bus, unit: d.unitId })),
    h(
      'dl',
      { class: 'stats' },
      row(t('transactions'), d.transactions),
      row(t('timeouts'), d.timeouts),
      row(t('crcErrors'), d.crcErrors),
      row(t('exceptions'), d.exceptions),
      row(t('lastAnswer'), d.lastAnswer === null ? t('never') : fmtTime(d.lastAnswer)),
    ),
  );
}

export function renderSystem(containers, snapshot) {
  const lang = document.documentElement.lang;
  const progress = snapshot.uplinks.map(drainProgress);
  renderIfChanged(containers.uplinks, JSON.stringify([lang, snapshot.uplinks, progress]), () =>
    snapshot.uplinks.length === 0 ? h('p', { class: 'empty' }, t('noUplinks')) : snapshot.uplinks.map((u, i) => uplinkCard(u, progress[i] ?? null)),
  );
  renderIfChanged(containers.devices, JSON.stringify([lang, snapshot.devices]), () =>
    snapshot.devices.length === 0 ? h('p', { class: 'empty' }, t('noDevices')) : snapshot.devices.map(deviceCard),
  );
}
