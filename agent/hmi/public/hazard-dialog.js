// One dialog for every step of a closed-loop record: a person's finding (clause, grade, what,
// a photo), assign (who, by when: the rule's rectifyWithinH preset), rectify (what was done, a
// photo), verify (pass or send back); an alarm's handling feedback (cause and action, from
// presets) and a cleaning check-in (a note, a photo). Presets first, few keystrokes: it is used with fingers on
// the 800 × 480 panel and on a phone. A refusal stays in the dialog with its reason.
import * as api from './api.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

const CLAUSES = ['粉尘-3', '粉尘-4', '粉尘-6', '粉尘-8', '粉尘-9', '粉尘-10'];
const HOURS = [4, 8, 24, 72, 168];
/** photos longer than this on a side are shrunk in the browser before upload (the agent keeps at most 4 MiB) */
const PHOTO_SIDE = 1600;

async function shrink(file) {
  if (file.size < 1024 * 1024 && (file.type === 'image/jpeg' || file.type === 'image/png')) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b ?? file), 'image/jpeg', 0.85));
}

function presetRow(values, label, onPick) {
  return h('div', { class: 'presets' }, values.map((v) => h('button', { type: 'button', class: 'btn chip-btn', onclick: () => onPick(v) }, label(v))));
}

const zhPage = () => document.documentElement.lang.startsWith('zh');
const words = (p) => (zhPage() ? p.zh : p.en);

/**
 * A text field with preset chips: a tap fills in the preset's words and marks it; the preset's
 * code is sent while the words stand as the chip put them, anything typed is sent as written.
 */
function presetField(id, presets) {
  const field = h('input', { id, maxlength: 200, autocomplete: 'off' });
  const chips = presets.map((p) =>
    h('button', {
      type: 'button',
      class: 'btn chip-btn',
      dataset: { code: p.code },
      'aria-pressed': 'false',
      onclick: () => {
        field.value = words(p);
        for (const c of chips) c.setAttribute('aria-pressed', String(c === chips[presets.indexOf(p)]));
      },
    }, words(p)),
  );
  field.addEventListener('input', () => chips.forEach((c) => c.setAttribute('aria-pressed', 'false')));
  return {
    field,
    row: h('div', { class: 'presets' }, chips),
    value: () => presets.find((p) => words(p) === field.value.trim())?.code ?? field.value.trim(),
  };
}

export function createHazardDialog(dialog) {
  const form = dialog.querySelector('form');
  const title = dialog.querySelector('#hazard-title');
  const target = dialog.querySelector('#hazard-target');
  const fields = dialog.querySelector('#hazard-fields');
  const error = dialog.querySelector('#hazard-error');
  const actions = dialog.querySelector('#hazard-actions');
  let resolve = null;

  dialog.addEventListener('close', () => {
    resolve?.(dialog.returnValue === 'ok');
    resolve = null;
  });
  form.addEventListener('submit', (e) => e.preventDefault());

  const input = (id, attrs = {}) => h('input', { id, ...attrs });
  const labelled = (key, control) => h('label', {}, h('span', {}, t(key)), control);
  const photoInput = () => input('hazard-photo', { type: 'file', accept: 'image/jpeg,image/png,image/*', capture: 'environment' });

  async function photosOf() {
    const file = dialog.querySelector('#hazard-photo')?.files?.[0];
    if (!file) return [];
    return [await api.uploadPhoto(await shrink(file))];
  }

  /** Runs `send`; closes on success, shows the reason and stays open on a refusal. */
  function button(key, primary, send) {
    return h('button', {
      type: 'button',
      class: `btn${primary ? ' primary' : ''}`,
      id: `hazard-${key}`,
      onclick: async (e) => {
        error.textContent = '';
        const buttons = [...actions.querySelectorAll('button')];
        for (const b of buttons) b.disabled = true;
        try {
          if ((await send()) !== false) dialog.close('ok');
        } catch (err) {
          error.textContent = errorText(err);
        } finally {
          for (const b of buttons) b.disabled = false;
          e.target.focus();
        }
      },
    }, t(key));
  }

  function required(el) {
    if (el.value.trim()) return el.value.trim();
    el.focus();
    error.textContent = t('fieldRequired');
    return undefined;
  }

  const forms = {
    find() {
      const clause = input('hazard-clause', { required: true, maxlength: 32, value: '粉尘-' });
      const grade = h('select', { id: 'hazard-grade' }, h('option', { value: 'major' }, t('gradeMajor')), h('option', { value: 'general' }, t('gradeGeneral')));
      const what = input('hazard-what', { required: true, maxlength: 100 });
      const description = h('textarea', { id: 'hazard-description', rows: 2, maxlength: 500 });
      return {
        fields: [labelled('hazardClause', clause), presetRow(CLAUSES, (c) => c, (c) => (clause.value = c)), labelled('hazardGrade', grade), labelled('hazardWhat', what), labelled('hazardDescription', description), labelled('hazardPhoto', photoInput())],
        buttons: [
          button('step_find', true, async () => {
            const c = required(clause);
            const w = c && required(what);
            if (!w) return false;
            const photos = await photosOf();
            await api.findHazard({ clause: c, grade: grade.value, title: w, ...(description.value.trim() ? { description: description.value.trim() } : {}), ...(photos.length ? { photos } : {}) });
          }),
        ],
      };
    },
    assign(r) {
      const who = input('hazard-assignee', { required: true, maxlength: 64, value: r.assignee ?? '', autocomplete: 'off' });
      const within = h('select', { id: 'hazard-within' }, [...new Set([r.rectifyWithinH, ...HOURS])].sort((a, b) => a - b).map((n) => h('option', { value: String(n), selected: n === r.rectifyWithinH }, t('withinHours', { n }))));
      return {
        fields: [labelled('hazardAssignee', who), labelled('hazardWithin', within)],
        buttons: [button('step_assign', true, async () => {
          const name = required(who);
          if (!name) return false;
          await api.assignHazard(r.id, name, Number(within.value));
        })],
      };
    },
    rectify(r) {
      const note = h('textarea', { id: 'hazard-note', rows: 2, maxlength: 500 });
      return {
        fields: [labelled('rectifyNote', note), presetRow(['presetRepaired', 'presetReplaced', 'presetCleaned'], (k) => t(k), (k) => (note.value = t(k))), labelled('hazardPhoto', photoInput())],
        buttons: [button('step_rectify', true, async () => {
          const n = required(note);
          if (!n) return false;
          await api.rectifyHazard(r.id, n, await photosOf());
        })],
      };
    },
    async disposition(o) {
      const { causes, actions } = await api.dispositionPresets();
      const cause = presetField('disp-cause', causes);
      const action = presetField('disp-action', actions);
      const note = h('textarea', { id: 'disp-note', rows: 2, maxlength: 500 });
      return {
        fields: [labelled('dispCause', cause.field), cause.row, labelled('dispAction', action.field), action.row, labelled('dispNote', note)],
        buttons: [button('step_disposition', true, async () => {
          if (!required(cause.field) || !required(action.field)) return false;
          await api.recordDisposition(o.id, cause.value(), action.value(), note.value.trim());
        })],
      };
    },
    checkin(a) {
      const note = h('textarea', { id: 'checkin-note', rows: 2, maxlength: 500 });
      return {
        fields: [labelled('checkinNote', note), labelled('checkinPhoto', photoInput())],
        buttons: [button('step_checkin', true, async () => api.checkIn(a.id, note.value.trim(), await photosOf()))],
      };
    },
    verify(r) {
      const note = h('textarea', { id: 'hazard-note', rows: 2, maxlength: 500 });
      return {
        fields: [labelled('verifyNote', note)],
        buttons: [
          button('step_reject', false, async () => {
            const n = required(note);
            if (!n) return false;
            await api.rejectHazard(r.id, n);
          }),
          button('step_close', true, () => api.closeHazard(r.id, note.value.trim())),
        ],
      };
    },
  };

  return {
    /** Resolves true when the step was taken, false if cancelled. */
    async open(step, record) {
      const built = await forms[step](record);
      title.textContent = t(`step_${step}`);
      target.textContent = !record ? '' : record.title !== undefined ? `${record.id} ${record.title}` : (zhPage() ? record.name : (record.nameEn ?? record.name));
      target.hidden = !record;
      fields.replaceChildren(...built.fields);
      error.textContent = '';
      actions.replaceChildren(h('button', { type: 'button', class: 'btn', id: 'hazard-cancel', onclick: () => dialog.close('cancel') }, t('cancel')), ...built.buttons);
      dialog.returnValue = '';
      dialog.showModal();
      (fields.querySelector('input:not([type=file]), textarea') ?? actions.lastChild).focus();
      return new Promise((r) => (resolve = r));
    },
  };
}
