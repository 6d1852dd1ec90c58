/**
 * The largest event-loop delay while something runs: a 1 ms timer notes how much later than
 * due each tick fires (monitorEventLoopDelay reports the same, its histogram with the 1 ms
 * resolution included).
 */
export class LoopStallWatch {
  private last = performance.now();
  private worst = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.worst = Math.max(this.worst, now - this.last - 1);
      this.last = now;
    }, 1);
  }

  /** ms; stops the watch */
  stop(): number {
    clearInterval(this.timer);
    return Math.max(0, this.worst);
  }
}
