// The login dialog, the shelve dialog (reason and expiry) and the reset confirmation, all native <dialog> elements.
import * as api from './api.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { fmtTime, local, t } from './i18n.js';

export function createLoginDialog(dialog) {
  const form = dialog.querySelector('form');
  const name = dialog.querySelector('#login-name');
  const password = dialog.querySelector('#login-password');
  const error = dialog.querySelector('#login-error');
  const submit = dialog.querySelector('#login-submit');
  let resolve = null;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      await api.login(name.value.trim(), password.value);
      password.value = '';
      dialog.close('ok');
    } catch (err) {
      error.textContent = errorText(err);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  dialog.querySelector('#login-cancel').addEventListener('click', () => dialog.close('cancel'));
  dialog.addEventListener('close', () => {
    resolve?.(dialog.returnValue === 'ok');
    resolve = null;
  });

  return {
    /** Resolves true once logged in, false if cancelled. */
    open(reason = '') {
      error.textContent = reason;
      password.value = '';
      dialog.showModal();
      (name.value ? password : name).focus();
      return new Promise((r) => (resolve = r));
    },
  };
}

const DURATIONS = [15, 30, 60, 120, 240, 480, 720];

export function createShelveDialog(dialog) {
  const form = dialog.querySelector('form');
  const target = dialog.querySelector('#shelve-target');
  const reason = dialog.querySelector('#shelve-reason');
  const minutes = dialog.querySelector('#shelve-minutes');
  const preview = dialog.querySelector('#shelve-preview');
  const presets = dialog.querySelector('#shelve-presets');
  let resolve = null;

  const label = (m) => (m < 60 ? t('minutes', { n: m }) : t('hours', { n: m / 60 }));
  const showPreview = () => (preview.textContent = t('shelveUntilPreview', { t: fmtTime(Date.now() + Number(minutes.value) * 60_000) }));

  function fill() {
    const chosen = minutes.value || '60';
    minutes.replaceChildren(...DURATIONS.map((m) => h('option', { value: String(m) }, label(m))));
    minutes.value = chosen;
    presets.replaceChildren(
      ...['reasonMaintenance', 'reasonNuisance', 'reasonTesting'].map((k) =>
        h('button', { type: 'button', class: 'btn chip-btn', onclick: () => (reason.value = t(k)) }, t(k)),
      ),
    );
    showPreview();
  }

  minutes.addEventListener('change', showPreview);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!reason.value.trim()) {
      reason.focus();
      return;
    }
    dialog.close('ok');
  });
  dialog.querySelector('#shelve-cancel').addEventListener('click', () => dialog.close('cancel'));
  dialog.addEventListener('close', () => {
    resolve?.(dialog.returnValue === 'ok' ? { reason: reason.value.trim(), minutes: Number(minutes.value) } : null);
    resolve = null;
  });

  return {
    /** Resolves { reason, minutes } or null if cancelled. */
    open(alarm) {
      fill();
      target.textContent = `${local(alarm.name, alarm.nameEn)} — ${local(alarm.message, alarm.messageEn)}`;
      reason.value = '';
      dialog.showModal();
      reason.focus();
      return new Promise((r) => (resolve = r));
    },
  };
}

/** Asks before a latched permit is reset: resetting lets the machine start again. */
export function createResetDialog(dialog) {
  const form = dialog.querySelector('form');
  const target = dialog.querySelector('#reset-target');
  const effect = dialog.querySelector('#reset-effect');
  let resolve = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    dialog.close('ok');
  });
  dialog.querySelector('#reset-cancel').addEventListener('click', () => dialog.close('cancel'));
  dialog.addEventListener('close', () => {
    resolve?.(dialog.returnValue === 'ok');
    resolve = null;
  });
  return {
    /** Resolves true to reset, false if cancelled. */
    open(permit) {
      const name = permit.name ?? permit.id;
      target.textContent = permit.firstOut ? `${name} — ${t('firstOutTrip', { text: local(permit.firstOut.text, permit.firstOut.textEn), t: fmtTime(permit.firstOut.t) })}` : name;
      effect.textContent = t('resetEffect', { output: permit.output, name });
      dialog.returnValue = '';
      dialog.showModal();
      dialog.querySelector('#reset-cancel').focus();
      return new Promise((r) => (resolve = r));
    },
  };
}
