/**
 * A Modbus RTU slave simulator standing in for a whole RS-485 bus: several units behind one
 * line. It takes the bytes a master puts on the line (`receive`), splits them into frames by
 * the 3.5-character silence, answers, and hands reply bytes to every attached listener
 * (`onTransmit`). With wire time on, a reply leaves no earlier than a real bus could carry
 * request and reply at the line's baud rate, so throughput measured against it is honest.
 */
import { SystemClock, type Clock, type Timer } from '../clock.js';
import { crcOk, withCrc } from '../modbus/crc.js';
import { DEFAULT_LINE, frameGapMs, wireMs, type LineSettings } from '../modbus/line.js';
import { SimUnit, type TableSizes } from './modbus-unit.js';
import { withPduFault } from './reply-faults.js';

export { SimUnit } from './modbus-unit.js';
export type { SimFault, SimTable, TableSizes, WordOrder } from './modbus-unit.js';

export interface ModbusDeviceSimOptions {
  clock?: Clock;
  line?: Partial<LineSettings>;
  /** delay replies by the time the bytes would take on a real line (default true) */
  wireTime?: boolean;
  /**
   * End a request as soon as it is complete with a good CRC, not after the 3.5-character
   * silence (default false). For throughput benches without wire time: the silence timer alone
   * (>= 2 ms, 4 ms at 9600) capped a pty pair at about 100 transactions/s.
   */
  frameByLength?: boolean;
  /**
   * With a real clock: send each reply at its due time to within a few tenths of a millisecond
   * (a timer to just before, then event-loop turns until due). Node timers alone fire up to a
   * millisecond late, which a bench of bus efficiency would blame on the master (default false).
   */
  preciseTiming?: boolean;
}

export type TransmitListener = (bytes: Buffer) => void;

const DEFAULT_NOISE = [0x00, 0xff, 0xfe];
/** preciseTiming: how long before the due time the timer fires (node timers run up to ~1 ms late) */
const PRECISE_LEAD_MS = 1.5;

export class ModbusDeviceSim {
  readonly line: LineSettings;
  private readonly clock: Clock;
  private readonly wireTime: boolean;
  private readonly frameByLength: boolean;
  private readonly preciseTiming: boolean;
  /** bumped by close(): replies still waiting for their due time are dropped */
  private generation = 0;
  private readonly units = new Map<number, SimUnit>();
  private readonly listeners = new Set<TransmitListener>();
  private readonly pending = new Set<Timer>();
  private rx: Buffer[] = [];
  private rxFirstByteAt = 0;
  private gapTimer: Timer | undefined;
  /** frames received with a good CRC, for any unit */
  framesReceived = 0;
  /** frames dropped because their CRC was wrong or they were too short */
  framesRejected = 0;

  constructor(opts: ModbusDeviceSimOptions = {}) {
    this.clock = opts.clock ?? new SystemClock();
    this.line = { ...DEFAULT_LINE, ...opts.line };
    this.wireTime = opts.wireTime ?? true;
    this.frameByLength = opts.frameByLength ?? false;
    this.preciseTiming = opts.preciseTiming ?? false;
  }

  /** The unit with this id, created on first use. */
  unit(id: number, sizes?: Partial<TableSizes>): SimUnit {
    if (!Number.isInteger(id) || id < 1 || id > 247) throw new RangeError(`unit id ${id} outside 1..247`);
    let u = this.units.get(id);
    if (!u) {
      u = new SimUnit(id, sizes);
      this.units.set(id, u);
    }
    return u;
  }

  /** Takes a unit off the bus: it no longer answers, like a device unplugged. */
  removeUnit(id: number): void {
    this.units.delete(id);
  }

  /** Bytes the master put on the line. */
  receive(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.rx.length === 0) this.rxFirstByteAt = this.clock.monotonic();
    this.rx.push(Buffer.from(bytes));
    if (this.frameByLength && requestComplete(this.rx)) {
      this.gapTimer?.cancel();
      this.endOfFrame();
      return;
    }
    // A frame ends after 3.5 character times of silence (Serial Line §2.5.1.1); node timers
    // have 1 ms resolution, so the gap is at least 2 ms.
    this.gapTimer?.cancel();
    this.gapTimer = this.clock.setTimeout(() => this.endOfFrame(), Math.max(2, Math.ceil(frameGapMs(this.line))));
  }

  /** Listen to what the simulator transmits; returns an unsubscribe. */
  onTransmit(listener: TransmitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels every reply still on its way. */
  close(): void {
    this.generation++;
    this.gapTimer?.cancel();
    for (const t of this.pending) t.cancel();
    this.pending.clear();
    this.rx = [];
  }

  private endOfFrame(): void {
    const frame = Buffer.concat(this.rx);
    const startedAt = this.rxFirstByteAt;
    this.rx = [];
    this.gapTimer = undefined;
    // A slave discards a frame whose CRC is wrong and stays silent (Serial Line §2.5.1.2).
    if (frame.length < 4 || !crcOk(frame, 0, frame.length)) {
      this.framesRejected++;
      return;
    }
    this.framesReceived++;
    const unitId = frame[0]!;
    const pdu = frame.subarray(1, frame.length - 2);
    if (unitId === 0) {
      // Broadcast: every unit acts on a write, none answers (Serial Line §2.1).
      for (const u of this.units.values()) u.process(pdu);
      return;
    }
    const unit = this.units.get(unitId);
    if (!unit) return;
    unit.requests++;
    const fault = unit.takeFault();
    if (fault?.kind === 'silence') return;

    let replyPdu = unit.process(pdu);
    if (fault?.kind === 'exception') replyPdu = Buffer.from([(pdu[0] ?? 0) | 0x80, fault.code]);
    replyPdu = withPduFault(replyPdu, fault);
    const replyUnit = fault?.kind === 'wrongUnit' ? (fault.unitId ?? (unitId % 247) + 1) : unitId;
    let reply = withCrc(Buffer.concat([Buffer.from([replyUnit]), replyPdu]));
    if (fault?.kind === 'badCrc') {
      reply[reply.length - 1]! ^= 0xff;
      reply[reply.length - 2]! ^= 0xff;
    }
    if (fault?.kind === 'noise') reply = Buffer.concat([Buffer.from(fault.bytes ?? DEFAULT_NOISE), ...(fault.reply === false ? [] : [reply])]);
    if (fault?.kind === 'truncate') reply = reply.subarray(0, fault.keep ?? Math.floor(reply.length / 2));

    // Request and reply each take their bytes' time on the wire, plus a 3.5-character
    // silence after each frame before the line may be used again.
    const due = this.wireTime ? wireMs(this.line, frame.length + reply.length) + 2 * frameGapMs(this.line) : 0;
    const elapsed = this.clock.monotonic() - startedAt;
    const delay = Math.max(0, due - elapsed) + (fault?.kind === 'late' ? fault.ms : 0);
    const send = () => {
      for (const l of this.listeners) l(Buffer.from(reply));
    };
    if (this.preciseTiming && delay > 0) {
      const dueAt = this.clock.monotonic() + delay;
      const generation = this.generation;
      const spin = () => {
        if (generation !== this.generation) return;
        if (this.clock.monotonic() >= dueAt) send();
        else setImmediate(spin);
      };
      const early = this.clock.setTimeout(() => {
        this.pending.delete(early);
        spin();
      }, Math.max(0, delay - PRECISE_LEAD_MS));
      this.pending.add(early);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(timer);
      send();
    }, delay);
    this.pending.add(timer);
  }
}

/** A whole request of a function code we know, with a good CRC, is in `parts`. */
function requestComplete(parts: Buffer[]): boolean {
  const frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const fc = frame[1];
  if (fc === undefined) return false;
  const length = fc >= 1 && fc <= 6 ? 8 : (fc === 15 || fc === 16) && frame.length >= 7 ? 9 + frame[6]! : undefined;
  return length !== undefined && frame.length === length && crcOk(frame, 0, length);
}
