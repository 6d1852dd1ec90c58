/**
 * An uplink destination: reads the outbox through its own cursor and marks only what its far
 * end acknowledged. MQTT (contract v1) is the first; a provincial HTTP uplink (Hebei) is the next.
 */
export interface DestinationStatus {
  /** also the name of its cursor in the outbox */
  name: string;
  connected: boolean;
  /** messages not yet acknowledged by the far end */
  pending: number;
  /** age of the oldest of them, or null */
  oldestPendingMs: number | null;
}

export interface Destination {
  readonly name: string;
  start(): Promise<void>;
  /** say goodbye to the far end and stop; the outbox stays open (it is closed last, by the app) */
  stop(): Promise<void>;
  status(): DestinationStatus;
}
