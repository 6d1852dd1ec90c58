// The operator page: wires the live feed to the sections, the dialogs to the actions, and the
// language switch. Rendering is in alarms.js, permits.js, values.js, system.js and trend.js.
import * as api from './api.js';
import { renderAlarms, renderSummary } from './alarms.js';
import { createLoginDialog, createResetDialog, createShelveDialog } from './dialogs.js';
import { errorText } from './errors.js';
import { createHazardDialog } from './hazard-dialog.js';
import { renderHazardCount, renderHazards } from './hazards.js';
import { renderCleaning, renderDispositions } from './records.js';
import { createReports } from './reports.js';
import { createTickets } from './tickets.js';
import { createHorn } from './horn.js';
import { applyStatic, fmtTime, initLang, t, toggleLang } from './i18n.js';
import { renderLockouts, renderPermitStrip, renderPermits } from './permits.js';
import { connect } from './stream.js';
import { renderSystem } from './system.js';
import { createTrends } from './trend.js';
import { renderValues } from './values.js';

const $ = (id) => document.getElementById(id);

initLang();
applyStatic();
const horn = createHorn({ bar: $('sound-bar'), silenceButton: $('silence-button') });

const loginDialog = createLoginDialog($('login-dialog'));
const shelveDialog = createShelveDialog($('shelve-dialog'));
const resetDialog = createResetDialog($('reset-dialog'));
const hazardDialog = createHazardDialog($('hazard-dialog'));
const trends = createTrends({
  select: $('trend-point'),
  rangeButtons: [...document.querySelectorAll('[data-range]')],
  chartEl: $('trend-chart'),
  statusEl: $('trend-status'),
});

let snapshot = null;

let toastTimer = null;
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * A short note of what an action did. It must not cover what it reports on (`about`, the alarm
 * row or permit card acted on): at the bottom unless that is where `about` is, then under the header.
 */
function toast(text, kind = 'info', about = null) {
  const el = $('toast');
  el.textContent = text;
  el.className = `toast show ${kind}`;
  el.style.top = '';
  const target = about && document.contains(about) ? about.getBoundingClientRect() : null;
  if (target && overlaps(el.getBoundingClientRect(), target)) {
    el.classList.add('top');
    el.style.top = `${document.querySelector('header.top').getBoundingClientRect().bottom + 8}px`;
  }
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), kind === 'error' ? 6000 : 3000);
}

async function ensureLogin() {
  if (api.session.user) return true;
  return loginDialog.open(t('loginNeeded'));
}

async function run(kind, action, about = null) {
  try {
    await action();
    toast(t(`done_${kind}`), 'info', about?.());
  } catch (err) {
    toast(errorText(err), 'error', about?.());
    if (err.code === 'no_session' || err.code === 'bad_csrf') void loginDialog.open(errorText(err));
  }
}

const alarmRowOf = (id) => document.querySelector(`#alarm-list [data-id="${CSS.escape(id)}"]`);

const alarmHandlers = {
  async ack(alarm) {
    if (await ensureLogin()) await run('ack', () => api.acknowledge(alarm.id), () => alarmRowOf(alarm.id));
  },
  async shelve(alarm) {
    if (!(await ensureLogin())) return;
    if (api.session.user?.role !== 'supervisor') {
      toast(t('supervisorOnly'), 'error');
      return;
    }
    const choice = await shelveDialog.open(alarm);
    if (choice) await run('shelve', () => api.shelve(alarm.id, choice.reason, choice.minutes), () => alarmRowOf(alarm.id));
  },
};

async function resetPermit(permit) {
  if (!(await ensureLogin())) return;
  // Resetting lets the machine start again: ask first, naming the permit, its trip and its output.
  if (!(await resetDialog.open(permit))) return;
  await run('reset', () => api.resetPermit(permit.id), () => document.querySelector(`#permit-board [data-id="${CSS.escape(permit.id)}"]`));
}

/** A step of a closed-loop record (hazard, feedback, check-in); the dialog shows a refusal's reason and stays open. */
async function hazardStep(step, record) {
  if (!(await ensureLogin())) return;
  try {
    if (await hazardDialog.open(step, record)) toast(t(`done_${step}`), 'info');
  } catch (err) {
    // the dialog could not be built (the presets did not load): say so, nothing was sent
    toast(errorText(err), 'error');
  }
}

const hazardHandlers = {
  find: () => hazardStep('find'),
  assign: (r) => hazardStep('assign', r),
  rectify: (r) => hazardStep('rectify', r),
  verify: (r) => hazardStep('verify', r),
};
const recordDisposition = (occurrence) => hazardStep('disposition', occurrence);
const checkInArea = (area) => hazardStep('checkin', area);

const reports = createReports({ section: $('reports'), board: $('report-board'), navLink: document.querySelector('a[href="#reports"]'), toast: (text, kind) => toast(text, kind) });

const tickets = createTickets({ section: $('tickets'), board: $('ticket-board'), navLink: document.querySelector('a[href="#tickets"]'), toast: (text, kind) => toast(text, kind), ensureLogin });

function renderUser() {
  const user = api.session.user;
  const btn = $('user-button');
  btn.textContent = user
    ? t('userAndRole', { user: user.name, role: t(user.role === 'supervisor' ? 'roleSupervisor' : 'roleOperator'), logout: t('logout') })
    : t('login');
  btn.dataset.loggedIn = user ? 'yes' : 'no';
}

function render() {
  if (!snapshot) return;
  $('site-name').textContent = snapshot.site.name ?? snapshot.site.gateway;
  $('gateway').textContent = snapshot.site.gateway;
  $('plant-clock').textContent = fmtTime(snapshot.t);
  renderSummary($('alarm-summary'), snapshot);
  renderHazardCount($('hazard-count'), snapshot);
  renderHazards($('hazard-board'), snapshot, api.session.user, hazardHandlers);
  renderDispositions($('disposition-board'), snapshot, api.session.user, recordDisposition);
  renderCleaning($('cleaning-board'), snapshot, api.session.user, checkInArea);
  renderAlarms($('alarm-list'), snapshot, api.session.user, alarmHandlers);
  renderPermitStrip($('permit-strip'), snapshot);
  renderPermits($('permit-board'), snapshot, resetPermit);
  renderLockouts($('lockout-board'), snapshot);
  renderValues({ points: $('point-list'), contacts: $('contact-list'), outputs: $('output-list') }, snapshot);
  renderSystem({ uplinks: $('uplink-list'), devices: $('device-list') }, snapshot);
  trends.update(snapshot);
  reports.update(snapshot);
  tickets.update(snapshot);
}

/** Forget what each section last drew, so the next render redraws it (language or user changed). */
function invalidate() {
  for (const el of document.querySelectorAll('[data-render-key]')) delete el.dataset.renderKey;
}

$('lang-button').addEventListener('click', () => {
  toggleLang();
  applyStatic();
  invalidate();
  renderUser();
  render();
  trends.relabel();
  horn.relabel();
  reports.relabel();
  tickets.relabel();
});

$('user-button').addEventListener('click', async () => {
  if (api.session.user) await api.logout().catch(() => undefined);
  else await loginDialog.open();
});

api.onSessionChange(() => {
  renderUser();
  render();
  reports.relabel();
  tickets.relabel();
});

renderUser();
void api.loadSession();

connect({
  onSnapshot(s) {
    snapshot = s;
    horn.update(s);
    render();
  },
  onLink(up) {
    $('conn-banner').hidden = up;
    document.body.classList.toggle('disconnected', !up);
  },
});
