/**
 * A dispatcher's wait between looks: until its timer runs out, or until something wakes it sooner (new work was
 * signalled, or the dispatcher stops). A wake while nobody waits does nothing: the loop keeps its own flag of what it
 * heard (`kicked`), read before it waits. One wait at a time.
 */
export class WakeableWait {
  private wakeUp: (() => void) | undefined;

  /** Waits `ms`; true when the timer ran out, false when woken first (its timer then cleared). */
  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        if (this.wakeUp === wakeUp) this.wakeUp = undefined;
        resolve(false);
      };
      const timer = setTimeout(() => {
        if (this.wakeUp === wakeUp) this.wakeUp = undefined;
        resolve(true);
      }, ms);
      this.wakeUp = wakeUp;
    });
  }

  /** Ends the wait under way, if any, at once. */
  wake(): void {
    this.wakeUp?.();
  }
}
