/**
 * What a provincial platform adds on top of the shared HTTP destination: its encoder, its payload
 * builders and its idea of success. Hebei V1.1 is the first (agent/uplink/hebei/); the next
 * province is another object of this shape plus its part of the site schema.
 */
import type { PlantEvent, Sample } from '../../core/types.js';

/** One mapped point's state at a period boundary: its latest good value at or before it. */
export type PeriodValue = Pick<Sample, 'p' | 't' | 'q'> & { v: number | boolean };

export interface ProvincialRequest {
  /** appended to the base URL, e.g. `/api/rtsData` */
  path: string;
  /** the request body, ready to send */
  body: string;
  /** what it carries, for the log (never the key or the plain text) */
  summary: Record<string, unknown>;
}

export interface Province {
  /** also the name of its outbox cursor, e.g. `hebei` */
  readonly name: string;
  readonly baseUrl: string;
  /** how often every point's value goes up */
  readonly periodMs: number;
  /** the point ids this platform takes */
  readonly points: readonly string[];
  /** read secrets (a key file) before the first request; throws with a message that names the file, never its content */
  prepare(): Promise<void>;
  /** every mapped point's value at this boundary (at least one), as one request */
  periodRequest(boundaryMs: number, values: PeriodValue[]): ProvincialRequest;
  /** the events this platform takes, as one request; undefined when none of them concerns it */
  eventsRequest(events: PlantEvent[]): ProvincialRequest | undefined;
  /** did the platform take it? Anything else is retried. */
  accepted(status: number, body: string): boolean;
}
