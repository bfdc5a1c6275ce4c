// When a server that was running exits on its own, it is started again, unless it keeps
// crashing: then the user gets one notification instead of one per crash. Pure.

export class CrashPolicy {
  private readonly crashes: number[] = [];

  constructor(
    readonly maxCrashes = 5,
    readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Records a crash at `now`; true when the server should be started again. */
  recordCrash(now: number): boolean {
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > this.windowMs) {
      this.crashes.shift();
    }
    return this.crashes.length < this.maxCrashes;
  }

  reset(): void {
    this.crashes.length = 0;
  }
}
