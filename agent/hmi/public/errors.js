// Turns a refused request into words for the operator, in the chosen language.
import { local, t } from './i18n.js';

export function errorText(err) {
  const code = err?.code ?? 'other';
  const msg = err?.message ?? '';
  // a record's refusal says why in both languages (the reason, not the controller's status)
  if (code === 'refused' && err.reason?.zh) return local(err.reason.zh, err.reason.en);
  switch (code) {
    case 'throttled':
      return t('err_throttled', { s: err.retryAfter ?? '?' });
    case 'invalid':
    case 'refused':
    case 'other':
      return t(`err_${code}`, { msg });
    case 'bad_credentials':
    case 'busy':
    case 'no_session':
    case 'bad_csrf':
    case 'bad_origin':
    case 'role':
    case 'not_found':
    case 'replayed':
    case 'too_large':
    case 'bad_json':
    case 'network':
      return t(`err_${code}`);
    default:
      return t('err_other', { msg: msg || code });
  }
}
