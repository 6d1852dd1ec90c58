// Talks to the agent: session, login, logout and the three actions. Every action carries the
// session's CSRF token and a fresh Idempotency-Key, so a double tap or a replay is refused (409).

export class ApiError extends Error {
  constructor(status, code, message, retryAfter, reason) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    /** a record's refusal in both languages: { zh, en } */
    this.reason = reason;
  }
}

/** Who is logged in here: { user: {name, role} | null, csrf } */
export const session = { user: null, csrf: null };
const listeners = new Set();

export function onSessionChange(fn) {
  listeners.add(fn);
}

function setSession(user, csrf) {
  session.user = user;
  session.csrf = csrf;
  for (const fn of listeners) fn(session);
}

// crypto.randomUUID needs a secure context, which http://<panel-ip> is not; getRandomValues works anywhere.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function call(method, path, body, extraHeaders = {}) {
  let res;
  // a Blob (a photo) goes as it is, with its own type; anything else as JSON
  const raw = body instanceof Blob;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? extraHeaders : { 'Content-Type': raw ? body.type : 'application/json', ...extraHeaders },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  let data = {};
  try {
    data = await res.json();
  } catch {
    // a non-JSON answer (proxy error page): keep the status
  }
  if (!res.ok) {
    throw new ApiError(res.status, data.error ?? 'other', data.message ?? res.statusText, Number(res.headers.get('Retry-After')) || undefined, data.reason);
  }
  return data;
}

export async function loadSession() {
  try {
    const data = await call('GET', '/api/session');
    setSession(data.user ?? null, data.csrf ?? null);
  } catch {
    setSession(null, null);
  }
}

export async function login(name, password) {
  const data = await call('POST', '/api/login', { name, password });
  setSession(data.user, data.csrf);
}

export async function logout() {
  try {
    await call('POST', '/api/logout', {}, { 'X-CSRF-Token': session.csrf ?? '' });
  } finally {
    setSession(null, null);
  }
}

async function act(path, body = {}) {
  try {
    return await call('POST', path, body, { 'X-CSRF-Token': session.csrf ?? '', 'Idempotency-Key': newKey() });
  } catch (err) {
    // The server no longer knows this session: forget it here too, so the page asks for a login.
    if (err instanceof ApiError && (err.code === 'no_session' || err.code === 'bad_csrf')) setSession(null, null);
    throw err;
  }
}

export const acknowledge = (alarmId) => act(`/api/alarms/${encodeURIComponent(alarmId)}/ack`);
export const shelve = (alarmId, reason, minutes) => act(`/api/alarms/${encodeURIComponent(alarmId)}/shelve`, { reason, minutes });
export const resetPermit = (interlockId) => act(`/api/interlocks/${encodeURIComponent(interlockId)}/reset`);

const hazard = (id, verb) => `/api/hazards/${encodeURIComponent(id)}/${verb}`;
/** the hidden-hazard board: a person's finding, and the steps of a record (docs/HAZARDS.md) */
export const findHazard = (finding) => act('/api/hazards', finding);
export const assignHazard = (id, assignee, withinH) => act(hazard(id, 'assign'), { assignee, withinH });
export const rectifyHazard = (id, note, photos) => act(hazard(id, 'rectify'), photos.length ? { note, photos } : { note });
export const closeHazard = (id, note) => act(hazard(id, 'close'), note ? { note } : {});
export const rejectHazard = (id, note) => act(hazard(id, 'reject'), { note });
/** a JPEG or PNG Blob; resolves with the name a record can carry */
export const uploadPhoto = async (blob) => (await act('/api/hazards/photos', blob)).photo;

/** alarm handling feedback (处置反馈): a preset's code or the words as typed; the presets, fetched once */
export const recordDisposition = (occurrenceId, cause, action, note) => act(`/api/dispositions/${encodeURIComponent(occurrenceId)}`, note ? { cause, action, note } : { cause, action });
let presets = null;
export async function dispositionPresets() {
  presets ??= call('GET', '/api/dispositions').then(({ causes, actions }) => ({ causes, actions }));
  return presets.catch((err) => {
    presets = null;
    throw err;
  });
}
/** a cleaning area checked in as cleaned, with an optional note and photos */
export const checkIn = (area, note, photos) => act(`/api/cleaning/${encodeURIComponent(area)}/check-in`, { ...(note ? { note } : {}), ...(photos.length ? { photos } : {}) });

/** the briefing before a shift, and the team leader's signature of it (docs/DIGESTS.md) */
export const briefing = () => call('GET', '/api/briefing');
export const openTicket = (req) => act('/api/tickets', req);
export const ticketDetail = (id) => call('GET', `/api/tickets/${encodeURIComponent(id)}`);
export const ticketStep = (id, verb, body = {}) => act(`/api/tickets/${encodeURIComponent(id)}/${verb}`, body);
export const people = () => call('GET', '/api/people');
export const addPerson = (name, certificates) => act('/api/people', { name, certificates });
export const removePerson = (name) => act(`/api/people/${encodeURIComponent(name)}/remove`, {});
export const signBriefing = (digest) => act('/api/briefing/sign', { digest });

export async function trend(pointId, range) {
  return call('GET', `/api/trend?point=${encodeURIComponent(pointId)}&range=${range}`);
}
