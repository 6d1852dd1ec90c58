// The 作业票 tab: confined-space entry and hot-work tickets as the gateway enforces them (each
// check before entry, done or not, and the next step with why it is not yet done), people in
// and out, the gas test with the detector's readings of that moment, pause, resume, close and
// the printable ticket; below it the special-operations ledger (特种作业人员台账) with the
// certificates' expiry. Shown only where the snapshot carries tickets. One dialog of its own,
// built from data with textContent only (dom.js).
import * as api from './api.js';
import { h, renderIfChanged } from './dom.js';
import { errorText } from './errors.js';
import { fmtTime, local } from './i18n.js';

const STATE = {
  opened: ['已开票 · 待检查', 'opened · checks pending', 'warn'],
  permitted: ['准许进入', 'entry permitted', 'ok'],
  suspended: ['暂停', 'suspended', 'warn'],
  evacuate: ['撤离！', 'EVACUATE', 'danger'],
  closed: ['已关闭', 'closed', 'free'],
  refused: ['被拒绝', 'refused', 'bad'],
};
const CERT = { valid: ['有效', 'valid', 'ok'], expiring: ['即将到期', 'expiring', 'warn'], expired: ['已过期', 'expired', 'danger'], none: ['无证书', 'no certificate', 'free'] };
const w = (o) => local(o.zh, o.en);

export function createTickets({ section, board, navLink, toast, ensureLogin }) {
  let snap = null;
  let people = [];
  const dialog = h('dialog', { id: 'ticket-dialog' });
  document.body.append(dialog);

  async function step(ticket, kind, body = {}) {
    if (!(await ensureLogin())) return;
    try {
      await api.ticketStep(ticket.id, kind, body);
      toast(local('已完成', 'done'), 'info');
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  /** A form in the dialog: fields, a submit that may refuse (the reason stays in the dialog). */
  function ask(title, fields, submit, label) {
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', {}, title),
      h('div', { class: 'dialog-fields' }, fields),
      error,
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, local('取消', 'Cancel')), h('button', { type: 'submit', class: 'btn primary', id: 'ticket-submit' }, label)),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await submit();
        dialog.close();
        toast(local('已完成', 'done'), 'info');
        void loadPeople();
      } catch (err) {
        error.textContent = errorText(err);
      }
    });
    dialog.replaceChildren(form);
    dialog.showModal();
  }

  const field = (labelText, input) => h('label', {}, h('span', {}, labelText), input);
  const select = (id, options) => h('select', { id }, options.map(([v, text]) => h('option', { value: v }, text)));

  async function openTicket() {
    if (!(await ensureLogin())) return;
    await loadPeople();
    const { spaces, hotWork } = snap.tickets.places;
    const place = select('tk-place', [...spaces.map((s) => [`cs:${s.id}`, `${local('有限空间', 'Confined space')} · ${s.name}`]), ...hotWork.map((x) => [`hw:${x.id}`, `${local('动火', 'Hot work')} · ${x.name}`])]);
    const work = h('input', { id: 'tk-work', maxlength: 200, required: true });
    const inCharge = h('input', { id: 'tk-incharge', maxlength: 32, value: api.session.user?.name ?? '' });
    const names = people.map((p) => [p.name, p.name]);
    const attendant = select('tk-attendant', names);
    const entrants = h('div', { class: 'presets', id: 'tk-entrants' }, people.map((p) => h('label', { class: 'chip-check' }, h('input', { type: 'checkbox', value: p.name }), ` ${p.name}`)));
    const worker = select('tk-worker', people.map((p) => [p.name, `${p.name} · ${local(...CERT[p.status].slice(0, 2))}`]));
    const csOnly = [field(local('监护人', 'Attendant'), attendant), field(local('作业人员', 'Entrants'), entrants)];
    const hwOnly = [field(local('动火人（持证）', 'Worker (certified)'), worker)];
    const sync = () => {
      const cs = place.value.startsWith('cs:');
      for (const el of csOnly) el.hidden = !cs;
      for (const el of hwOnly) el.hidden = cs;
    };
    place.addEventListener('change', sync);
    ask(local('开作业票', 'Open a ticket'), [field(local('作业地点', 'Place'), place), field(local('作业内容', 'Work'), work), field(local('作业负责人', 'Person in charge'), inCharge), ...csOnly, ...hwOnly], async () => {
      const [kind, space] = [place.value.slice(0, 2), place.value.slice(3)];
      if (kind === 'cs') {
        const chosen = [...entrants.querySelectorAll('input:checked')].map((i) => i.value);
        await api.openTicket({ kind: 'confined_space', space, work: work.value, inCharge: inCharge.value, attendant: attendant.value, entrants: chosen });
      } else {
        await api.openTicket({ kind: 'hot_work', space, work: work.value, inCharge: inCharge.value, worker: worker.value });
      }
    }, local('开票', 'Open'));
    sync();
  }

  async function gasTest(ticket) {
    if (!(await ensureLogin())) return;
    let detail;
    try {
      detail = await api.ticketDetail(ticket.id);
    } catch (err) {
      toast(errorText(err), 'error');
      return;
    }
    const space = snap.tickets.places.spaces.find((s) => s.id === ticket.space);
    const fixed = detail.readings.map((r) => h('li', { class: r.ok ? '' : 'danger-text' }, `${r.name} = ${Number.isNaN(r.value) ? '—' : r.value} ${r.ok ? '✓' : local('✗ 超限', '✗ out of range')}`));
    const typed = (space?.portable ?? []).map((p) => ({ p, input: h('input', { type: 'number', step: 'any', required: true, dataset: { portable: p.id } }) }));
    ask(
      local('气体检测', 'Gas test'),
      [
        h('p', { class: 'muted' }, local('记录此刻固定式检测仪读数；便携式读数请手动填写。', 'Records the fixed detector at this moment; type in the portable readings.')),
        fixed.length ? h('ul', { class: 'readings' }, fixed) : null,
        ...typed.map(({ p, input }) => field(`${p.name}${p.unit ? ` (${p.unit})` : ''} · ${local('便携式', 'portable')}`, input)),
      ],
      async () => {
        const portable = Object.fromEntries(typed.map(({ p, input }) => [p.id, Number(input.value)]));
        await api.ticketStep(ticket.id, 'test', typed.length ? { portable } : {});
      },
      local('记录检测', 'Record the test'),
    );
  }

  function addPerson() {
    const name = h('input', { id: 'pp-name', maxlength: 32, required: true });
    const type = h('input', { id: 'pp-type', maxlength: 64, placeholder: '焊接与热切割作业' });
    const number = h('input', { id: 'pp-number', maxlength: 64 });
    const authority = h('input', { id: 'pp-authority', maxlength: 64 });
    const expires = h('input', { id: 'pp-expires', type: 'date' });
    ask(local('加入台账', 'Add to the ledger'), [field(local('姓名', 'Name'), name), field(local('证书类别', 'Certificate'), type), field(local('证书编号', 'Number'), number), field(local('发证机关', 'Authority'), authority), field(local('有效期至', 'Expires'), expires)], async () => {
      const certificates = type.value.trim() ? [{ type: type.value, number: number.value, authority: authority.value, expires: expires.value }] : [];
      await api.addPerson(name.value, certificates);
    }, local('保存', 'Save'));
  }

  function ticketCard(v, user, now) {
    const tk = v.ticket;
    const [zh, en, cls] = STATE[tk.state] ?? [tk.state, tk.state, 'free'];
    const live = tk.state !== 'closed' && tk.state !== 'refused';
    const sup = user?.role === 'supervisor';
    const cs = tk.kind === 'confined_space';
    const place = [...snap.tickets.places.spaces, ...snap.tickets.places.hotWork].find((p) => p.id === tk.space)?.name ?? tk.space;
    const btn = (label, onclick, extra = {}) => h('button', { type: 'button', class: 'btn', onclick, ...extra }, label);
    return h(
      'article',
      { class: `card ticket state-${tk.state}`, dataset: { id: tk.id, state: tk.state } },
      h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, `${tk.id} · ${place}`), h('span', { class: `badge ${cls}` }, local(zh, en))),
      h('div', { class: 'hz-line' }, tk.work),
      h('div', { class: 'hz-line muted' }, cs ? `${local('负责人', 'In charge')} ${tk.inCharge} · ${local('监护人', 'Attendant')} ${tk.attendant} · ${local('作业人员', 'Entrants')} ${tk.entrants.join('、')}` : `${local('动火人', 'Worker')} ${tk.worker} · ${local('有效至', 'until')} ${tk.permit ? fmtTime(tk.permit.lapsesAt, now) : '—'}`),
      tk.refusal && h('div', { class: 'hz-line danger-text' }, w(tk.refusal.reason)),
      tk.evacuateCause && tk.state === 'evacuate' && h('div', { class: 'hz-line danger-text evac-cause' }, w(tk.evacuateCause)),
      tk.holdCause && h('div', { class: 'hz-line' }, `${local('暂停原因', 'Paused')}: ${w(tk.holdCause)}`),
      v.checks.length > 0 && h('ul', { class: 'checks' }, v.checks.map((c) => h('li', { class: c.ok ? 'ok' : 'todo', dataset: { check: c.key } }, `${c.ok ? '✓' : '○'} ${w(c)}`))),
      v.next && h('div', { class: 'hz-line next-step' }, `${local('下一步', 'Next')}: ${w(v.next)}`),
      cs && live && h('div', { class: 'hz-line inside' }, `${local('空间内', 'Inside')} ${tk.inside.length}/${snap.tickets.places.spaces.find((s) => s.id === tk.space)?.maxEntrants ?? '?'}: ${tk.inside.join('、') || '—'}`),
      h(
        'div',
        { class: 'card-actions' },
        cs && live && tk.state !== 'evacuate' && btn(local('气体检测', 'Gas test'), () => gasTest(tk), { dataset: { act: 'test' } }),
        cs && tk.state === 'permitted' && tk.entrants.filter((p) => !tk.inside.includes(p)).map((p) => btn(`${local('进入', 'In')} ${p}`, () => step(tk, 'enter', { person: p }), { dataset: { act: 'enter', person: p } })),
        cs && tk.inside.map((p) => btn(`${local('撤出', 'Out')} ${p}`, () => step(tk, 'exit', { person: p }), { dataset: { act: 'exit', person: p } })),
        sup && cs && tk.state === 'permitted' && btn(local('暂停', 'Pause'), () => step(tk, 'suspend'), { dataset: { act: 'suspend' } }),
        sup && cs && tk.state === 'suspended' && tk.suspendedBy !== 'gateway' && btn(local('恢复', 'Resume'), () => step(tk, 'resume'), { dataset: { act: 'resume' } }),
        sup && live && btn(local('关闭作业票', 'Close'), () => step(tk, 'close'), { dataset: { act: 'close' } }),
        h('a', { class: 'btn', href: `/api/tickets/${encodeURIComponent(tk.id)}/print`, target: '_blank', rel: 'noopener', dataset: { act: 'print' } }, local('打印', 'Print')),
      ),
    );
  }

  function render() {
    if (!snap?.tickets) return;
    const user = api.session.user;
    const now = snap.t;
    renderIfChanged(board, JSON.stringify([snap.tickets, people, user, document.documentElement.lang, Math.floor(now / 60_000)]), () => [
      user?.role === 'supervisor' && h('div', { class: 'card-actions' }, h('button', { type: 'button', class: 'btn primary', id: 'ticket-open', onclick: openTicket }, local('开作业票', 'Open a ticket'))),
      snap.tickets.tickets.length ? h('div', { class: 'cards' }, snap.tickets.tickets.map((v) => ticketCard(v, user, now))) : h('p', { class: 'empty' }, local('今天没有作业票', 'No tickets today')),
      h('h3', {}, local('特种作业人员台账', 'Special-operations ledger')),
      h(
        'div',
        { class: 'card-actions' },
        user?.role === 'supervisor' && h('button', { type: 'button', class: 'btn', id: 'person-add', onclick: addPerson }, local('加入人员', 'Add a person')),
        h('a', { class: 'btn', href: '/api/people.csv', download: 'people.csv' }, local('导出 CSV', 'Export CSV')),
      ),
      people.length
        ? h('ul', { class: 'ledger' }, people.map((p) =>
            h(
              'li',
              { dataset: { person: p.name, status: p.status } },
              h('b', {}, p.name),
              ' ',
              h('span', { class: `badge ${CERT[p.status][2]}` }, local(CERT[p.status][0], CERT[p.status][1])),
              ' ',
              p.certificates.map((c) => h('span', { class: 'muted small' }, ` ${c.type} ${c.number} · ${c.authority} · ${local('至', 'to')} ${new Date(c.expires - 1).toLocaleDateString()}${c.status === 'expiring' ? local(`（剩 ${c.daysLeft} 天）`, ` (${c.daysLeft} days left)`) : ''}`)),
              user?.role === 'supervisor' && h('button', { type: 'button', class: 'btn small', onclick: () => removePerson(p.name) }, local('删除', 'Remove')),
            ),
          ))
        : h('p', { class: 'empty' }, local('台账为空', 'The ledger is empty')),
    ]);
  }

  async function removePerson(name) {
    if (!(await ensureLogin())) return;
    try {
      await api.removePerson(name);
      toast(local('已删除', 'removed'), 'info');
      await loadPeople();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  async function loadPeople() {
    try {
      people = (await api.people()).people;
    } catch (err) {
      toast(errorText(err), 'error');
    }
    render();
  }

  let loaded = false;
  return {
    relabel: () => {
      delete board.dataset.renderKey;
      render();
    },
    update(snapshot) {
      snap = snapshot;
      const on = snapshot.tickets !== undefined;
      section.hidden = !on;
      navLink.hidden = !on;
      if (on && !loaded) {
        loaded = true;
        void loadPeople();
      }
      render();
    },
  };
}
