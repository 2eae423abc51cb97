/**
 * Registers what to do when work a batch may hold was taken back (`Storage.onOutboxWithdrawn`: an erasure cancelled
 * mail or deleted webhook deliveries); returns the way to stop hearing it.
 */
export type OnWithdrawn = (renew: () => void) => () => void;

/**
 * Hears withdrawals from before a batch's claim, so one committed while the claim was under way is not missed: the
 * batch `attach`es the renewal of its claims once it holds them, and renews at once if one was heard meanwhile.
 */
export function withdrawalsHeard(onWithdrawn: OnWithdrawn | undefined): {
  attach(renew: () => void): void;
  stop(): void;
} {
  let heard = false;
  let onHeard: () => void = () => void (heard = true);
  const stopHearing = onWithdrawn?.(() => onHeard());
  return {
    attach(renew) {
      onHeard = renew;
      if (heard) renew();
    },
    stop: () => stopHearing?.(),
  };
}
