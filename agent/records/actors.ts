/** Who changes a closed-loop record: a logged-in person (hazard-machine.ts's Actor), or the gateway's own rules. */
import type { Actor } from './hazard-machine.js';

/** The name the gateway's own changes carry in `by` (as hazard records write it); no person may act under it. */
export const GATEWAY = 'gateway';

/** A person the page logged in: a name, and not the gateway's. */
export function isPerson(by: Actor): boolean {
  const user = by.user.trim();
  return user !== '' && user !== GATEWAY;
}
