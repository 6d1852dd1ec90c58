/**
 * What a rule answers to a person's action: done, or refused with a kind the caller can act on
 * and a sentence for the person. The rules know nothing of HTTP; the operator page alone turns
 * a refusal into a status code (agent/hmi/actions.ts).
 */
export type Outcome<R extends string> = { ok: true } | { ok: false; refusal: R; error: string };

export function refused<R extends string>(refusal: R, error: string): { ok: false; refusal: R; error: string } {
  return { ok: false, refusal, error };
}
