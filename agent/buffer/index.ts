export { Outbox, MAX_RANGE } from './outbox.js';
export { Cursor } from './cursor.js';
export type { Stream, StoredMessage, PendingSummary, TrendPoint, OutboxOptions, CursorOptions } from './types.js';
export { STREAMS } from './types.js';
