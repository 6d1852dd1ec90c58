/**
 * One bus, one cycle: every device has a slot at a fixed offset (its phase) in its own period,
 * so its samples come at pollMs apart however the others fare. Slots are laid out end to end in
 * rate-monotonic order (shortest pollMs first, then as the site file lists them), each as wide
 * as the device's reads take on the wire. Pure: times come in as arguments, nothing is armed
 * here (bus-cycle.ts runs it on a clock).
 */

export interface SlotRequest {
  id: string;
  periodMs: number;
  /** how long the device's reads take on the bus */
  slotMs: number;
}

export interface Slot extends SlotRequest {
  /** offset of the slot in its period, from the start of the cycle */
  phaseMs: number;
  /** position in the cycle's order */
  order: number;
}

interface SlotState {
  slot: Slot;
  dueAt: number;
  active: boolean;
}

export class BusSchedule {
  readonly slots: readonly Slot[];
  private readonly states: SlotState[];

  constructor(
    requests: readonly SlotRequest[],
    private readonly startAt: number,
  ) {
    // stable sort: equal periods keep the site file's order
    const ordered = [...requests].sort((a, b) => a.periodMs - b.periodMs);
    let offset = 0;
    this.slots = ordered.map((r, order) => {
      // whole milliseconds, as timers fire
      const slot = { ...r, phaseMs: Math.ceil(offset) % r.periodMs, order };
      offset += r.slotMs;
      return slot;
    });
    this.states = this.slots.map((slot) => ({ slot, dueAt: startAt + slot.phaseMs, active: true }));
  }

  /** The slot of `id`. */
  slot(id: string): Slot | undefined {
    return this.slots.find((s) => s.id === id);
  }

  /** The active slot due at or before `now` that fell due first (the cycle's order breaks ties). */
  due(now: number): Slot | undefined {
    let best: SlotState | undefined;
    for (const s of this.states) if (s.active && s.dueAt <= now && (!best || s.dueAt < best.dueAt)) best = s;
    return best?.slot;
  }

  /** When the next active slot falls due (Infinity when none is active). */
  nextAt(): number {
    let next = Infinity;
    for (const s of this.states) if (s.active && s.dueAt < next) next = s.dueAt;
    return next;
  }

  /** When `id` is next due. */
  dueAt(id: string): number | undefined {
    return this.states.find((s) => s.slot.id === id)?.dueAt;
  }

  /**
   * The slot is being served at `now` (or given up): it is next due one period on, at its phase.
   * Returns how many of its periods went by unserved (0 when it was served in its own period).
   */
  take(id: string, now: number): number {
    const s = this.state(id);
    const before = this.periodIndex(s.slot, s.dueAt);
    const next = Math.max(before + 1, Math.floor((now - this.startAt - s.slot.phaseMs) / s.slot.periodMs) + 1);
    s.dueAt = this.startAt + s.slot.phaseMs + next * s.slot.periodMs;
    return next - before - 1;
  }

  /**
   * A device that stopped answering gives its slot up as free bus time; when it answers again it
   * takes the slot back at its phase, from the first one at or after `now`.
   */
  setActive(id: string, active: boolean, now: number): void {
    const s = this.state(id);
    if (s.active === active) return;
    s.active = active;
    if (active) s.dueAt = this.startAt + s.slot.phaseMs + Math.max(0, Math.ceil((now - this.startAt - s.slot.phaseMs) / s.slot.periodMs)) * s.slot.periodMs;
  }

  /** Sum of slot width over period: the share of the bus the schedule asks for. */
  load(): number {
    return this.slots.reduce((l, s) => l + s.slotMs / s.periodMs, 0);
  }

  private periodIndex(slot: Slot, at: number): number {
    return Math.round((at - this.startAt - slot.phaseMs) / slot.periodMs);
  }

  private state(id: string): SlotState {
    const s = this.states.find((x) => x.slot.id === id);
    if (!s) throw new Error(`no slot for ${id}`);
    return s;
  }
}
