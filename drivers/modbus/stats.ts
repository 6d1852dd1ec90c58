/** Counters a master keeps per bus and per unit, for the health page and the logs. */
export interface TransactionStats {
  /** requests put on the wire, retries included */
  transactions: number;
  /** replies accepted as answers (exceptions included) */
  answers: number;
  timeouts: number;
  /** replies with a wrong CRC, length or function code */
  crcErrors: number;
  exceptions: number;
  wrongUnit: number;
  /** replies with a good CRC that disagree with their request (function, byte count, length, echo) */
  mismatches: number;
  /** requests failed because the port was closed or vanished */
  portClosed: number;
  /** ms since epoch of the last answer */
  lastAnswer: number | null;
  /** request-to-answer time of the last answer, ms */
  lastAnswerMs: number | null;
}

export function emptyStats(): TransactionStats {
  return { transactions: 0, answers: 0, timeouts: 0, crcErrors: 0, exceptions: 0, wrongUnit: 0, mismatches: 0, portClosed: 0, lastAnswer: null, lastAnswerMs: null };
}
