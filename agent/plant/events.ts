/**
 * Where plant events are born: every part that reports an event hands a draft here; the log
 * gives it an id and time quality and passes it on (buffer, operator page) without waiting.
 */
import type { PlantEvent } from '../core/types.js';

export type EventDraft = Omit<PlantEvent, 'id' | 'tq'>;
export type EventReporter = (draft: EventDraft) => PlantEvent;

export class EventLog {
  private counter = 0;
  private readonly listeners: ((e: PlantEvent) => void)[] = [];

  constructor(
    /** changes at every start, so ids never collide across restarts */
    private readonly bootId: string,
    private readonly clockSynced: () => boolean,
  ) {}

  onEvent(listener: (e: PlantEvent) => void): void {
    this.listeners.push(listener);
  }

  readonly report: EventReporter = (draft) => {
    const event: PlantEvent = { id: `${this.bootId}-${++this.counter}`, ...draft };
    if (!this.clockSynced()) event.tq = 'unsynced';
    for (const l of this.listeners) l(event);
    return event;
  };
}
