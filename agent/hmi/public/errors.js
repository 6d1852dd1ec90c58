// Turns a refused request into words for the operator, in the chosen language.
import { t } from './i18n.js';

export function errorText(err) {
  const code = err?.code ?? 'other';
  const msg = err?.message ?? '';
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
