/** Text into HTML: the printable documents (reports, tickets) write names the installer and the people typed. */
export const esc = (s: unknown): string => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
