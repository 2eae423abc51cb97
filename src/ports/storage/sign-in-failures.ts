/** The failures counted under one key of the sign-in limiter, and the time of the last one. */
export interface SignInFailure {
  key: string;
  failures: number;
  lastAt: string;
}

/**
 * The sign-in limiter's counts, kept in the database so that every process serving one database counts together.
 * A key's failures are current while its last failure is after `since` (the limiter's forget time before now);
 * older ones count as none.
 */
export interface SignInFailureRepository {
  /** The current failures under these keys (keys with none are left out). */
  readSignInFailures(keys: readonly string[], since: string): Promise<SignInFailure[]>;
  /**
   * `readSignInFailures` that holds the keys until the transaction ends: another transaction holding any of them waits,
   * so that a decision taken on the counts read holds when the attempt is counted. Call in a transaction.
   */
  holdSignInFailures(keys: readonly string[], at: string, since: string): Promise<SignInFailure[]>;
  /** Counts one failure at `at` under each key (one statement): a key whose failures are not current starts at one. */
  addSignInFailure(keys: readonly string[], at: string, since: string): Promise<void>;
  /** An attempt was right: `forget` loses all its failures, and each of `takeBack` one (a key left with none is removed). */
  takeBackSignInFailure(forget: readonly string[], takeBack: readonly string[]): Promise<void>;
  /** Removes the keys whose failures are not current, then the oldest beyond the newest `keep`; returns how many. */
  pruneSignInFailures(since: string, keep: number): Promise<number>;
  /** Removes these keys where they hold no failure (what a refused attempt held and did not count). */
  dropEmptySignInKeys(keys: readonly string[]): Promise<void>;
  /** Removes every key naming this address (an erased person's): the account's, from any client address. */
  forgetSignInFailuresOf(email: string): Promise<void>;
  /** How many keys are stored. */
  countSignInFailureKeys(): Promise<number>;
}
