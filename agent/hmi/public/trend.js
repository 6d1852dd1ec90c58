// Trends of the last hour and the last day, drawn with uPlot (served from the agent, no CDN).
// The point's limits are drawn as dashed lines so an excursion is seen against its setting.
import uPlot from '/vendor/uPlot.esm.js';
import { h } from './dom.js';
import { fmtNumber, fmtTime, limitWord, t } from './i18n.js';
import * as api from './api.js';

const LIMIT_COLOURS = { lowLow: '#b3001b', low: '#d97000', high: '#d97000', highHigh: '#b3001b' };
// A day's trend changes slowly; an hour's is worth refreshing twice a minute.
const REFRESH_MS = { '1h': 30_000, '24h': 300_000 };

const pad = (n) => String(n).padStart(2, '0');
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// 24-hour ticks as on every Chinese panel (uPlot's default is 5:45pm); the date only where it changes.
function timeTicks(u, splits) {
  let lastDay = null;
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const label = lastDay !== null && day !== lastDay ? `${day}\n${hm}` : hm;
    lastDay = day;
    return label;
  });
}

export function createTrends({ select, rangeButtons, chartEl, statusEl }) {
  let points = [];
  let pointId = null;
  let range = '1h';
  let chart = null;
  let timer = null;
  let loading = 0;

  const height = () => (window.innerHeight <= 520 ? 200 : 300);

  function destroy() {
    chart?.destroy();
    chart = null;
  }

  async function load() {
    clearTimeout(timer);
    timer = setTimeout(load, REFRESH_MS[range]);
    const point = points.find((p) => p.id === pointId);
    if (!point) return;
    const ticket = ++loading;
    let data;
    try {
      data = await api.trend(point.id, range);
    } catch {
      if (ticket === loading) statusEl.textContent = t('trendFailed');
      return;
    }
    if (ticket !== loading) return; // a newer request (other point or range) won
    statusEl.textContent = data.t.length === 0 ? t('noTrend') : '';
    draw(point, data);
  }

  // What the chart shows now, so live values from the snapshots can be added between fetches.
  let shown = null;

  function draw(point, data) {
    destroy();
    const limitKeys = ['lowLow', 'low', 'high', 'highHigh'].filter((k) => point.limits?.[k] !== undefined);
    shown = { pointId: point.id, limits: limitKeys.map((k) => point.limits[k]), from: data.from, to: data.to, t: [...data.t], v: [...data.v], forecast: data.forecast };
    const unit = point.unit ? ` (${point.unit})` : '';
    const opts = {
      width: Math.max(200, chartEl.clientWidth),
      height: height(),
      scales: { x: { time: true, range: () => [shown.from / 1000, Math.max(shown.to, shown.forecast?.t[1] ?? 0) / 1000] } },
      series: [
        { label: t('time'), value: (u, v) => (v === null ? '—' : fmtTime(v * 1000)) },
        { label: `${point.name ?? point.id}${unit}`, stroke: '#1f4e8c', width: 2, spanGaps: false },
        ...limitKeys.map((k) => ({ label: capitalise(limitWord(k)), stroke: LIMIT_COLOURS[k], width: 1, dash: [6, 4], points: { show: false } })),
        ...(shown.forecast ? [{ label: t('forecastSeries', { h: fmtNumber(shown.forecast.hours) }), stroke: '#7b2cbf', width: 2, dash: [2, 3], spanGaps: true, points: { show: false } }] : []),
      ],
      axes: [{ values: timeTicks, space: 60 }, { size: 56, values: (u, splits) => splits.map((v) => (v === null ? '' : fmtNumber(v))) }],
      legend: { show: true },
    };
    chart = new uPlot(opts, series(), chartEl);
  }

  /**
   * The samples, with the range's two ends added as empty x positions so the limit lines span the
   * whole chart even when the buffer holds only the last few minutes.
   */
  function series() {
    const from = shown.from;
    const to = Math.max(shown.to, shown.t.at(-1) ?? shown.to);
    const ts = [...(shown.t[0] > from || shown.t.length === 0 ? [from] : []), ...shown.t];
    const vs = [...(ts.length > shown.t.length ? [null] : []), ...shown.v];
    if (ts.at(-1) < to) {
      ts.push(to);
      vs.push(null);
    }
    // the forecast line: its two ends as x positions of their own, straight between them
    const f = shown.forecast;
    if (f) {
      for (const end of f.t) {
        const i = ts.findIndex((x) => x >= end);
        if (ts[i] === end) continue;
        ts.splice(i < 0 ? ts.length : i, 0, end);
        vs.splice(i < 0 ? vs.length : i, 0, null);
      }
    }
    const xs = ts.map((ms) => ms / 1000);
    const line = f ? ts.map((ms) => (ms === f.t[0] ? f.v[0] : ms === f.t[1] ? f.v[1] : null)) : [];
    return [xs, vs, ...shown.limits.map((l) => xs.map(() => l)), ...(f ? [line] : [])];
  }

  /** A newer value of the charted point arrived with the live snapshot: add it and slide the window. */
  function append(point) {
    if (!chart || !shown || shown.pointId !== point.id || !(point.t > (shown.t.at(-1) ?? shown.to))) return;
    shown.t.push(point.t);
    shown.v.push(point.q === 'good' && typeof point.v === 'number' ? point.v : null);
    const span = shown.to - shown.from;
    shown.to = Math.max(shown.to, point.t);
    shown.from = shown.to - span;
    statusEl.textContent = '';
    chart.setData(series());
  }

  function syncOptions() {
    const current = [...select.options].map((o) => `${o.value}|${o.textContent}`).join(',');
    const wanted = points.map((p) => `${p.id}|${p.name ?? p.id}`).join(',');
    if (current === wanted) return;
    select.replaceChildren(...points.map((p) => h('option', { value: p.id }, p.name ?? p.id)));
    if (!points.some((p) => p.id === pointId)) pointId = points[0]?.id ?? null;
    if (pointId) select.value = pointId;
  }

  select.addEventListener('change', () => {
    pointId = select.value;
    void load();
  });
  for (const btn of rangeButtons) {
    btn.addEventListener('click', () => {
      range = btn.dataset.range;
      for (const b of rangeButtons) b.setAttribute('aria-pressed', String(b === btn));
      void load();
    });
  }
  new ResizeObserver(() => {
    if (chart && Math.abs(chart.width - chartEl.clientWidth) > 4) chart.setSize({ width: Math.max(200, chartEl.clientWidth), height: height() });
  }).observe(chartEl);

  return {
    /** New snapshot: the list of analog points may have changed; load the first trend once. */
    update(snapshot) {
      points = snapshot.points;
      const hadPoint = pointId;
      syncOptions();
      if (!hadPoint && pointId) void load();
      const point = points.find((p) => p.id === pointId);
      if (point) append(point);
    },
    /** Language changed: labels are baked into the chart, so redraw. */
    relabel() {
      syncOptions();
      void load();
    },
  };
}
