/**
 * A work ticket (作业票) as the gateway keeps it: a confined-space entry (entry-machine.ts) or a
 * hot-work ticket (hot-work.ts), one shape in the store, the page and the print view.
 */
import type { EntryTicket } from './entry-machine.js';
import type { HotWorkPermit } from './hot-work.js';

export type TicketKind = 'confined_space' | 'hot_work';

export interface ConfinedSpaceTicket extends EntryTicket {
  kind: 'confined_space';
  /** how many events the ticket has sent: the next event's id is `${id}-${n + 1}` */
  n: number;
  /** an open the gateway refused: why */
  refusal?: { refusal: string; reason: { zh: string; en: string } };
}

export type HotWorkState = 'permitted' | 'suspended' | 'closed' | 'refused';

export interface HotWorkTicket {
  kind: 'hot_work';
  id: string;
  n: number;
  /** the site file's workTickets.hotWork id */
  space: string;
  work: string;
  worker: string;
  inCharge: string;
  openedAt: number;
  openedBy: string;
  state: HotWorkState;
  permit?: HotWorkPermit;
  /** a requirement stopped holding during the work: why */
  holdCause?: { zh: string; en: string };
  closedAt?: number;
  closedBy?: string;
  /** closed by the gateway at validH */
  lapsed?: boolean;
  refusal?: { refusal: string; reason: { zh: string; en: string } };
}

export type Ticket = ConfinedSpaceTicket | HotWorkTicket;

/** Neither closed nor refused: what the gateway still watches. */
export function isLive(t: Ticket): boolean {
  return t.state !== 'closed' && t.state !== 'refused';
}

/** Everyone a ticket names, for the ledger (who may not be removed) and the event. */
export function peopleOf(t: Ticket): string[] {
  return t.kind === 'hot_work' ? [t.worker, t.inCharge] : [t.inCharge, t.attendant, ...t.entrants];
}
