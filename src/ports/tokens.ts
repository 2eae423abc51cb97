/** Unguessable identifiers: session ids, API tokens, Message-IDs; only their digests are stored. */
export interface Tokens {
  random(bytes?: number): string;
  /** Unique (not secret) identifiers, such as Message-IDs: a random per-process prefix and a counter. */
  unique(): string;
  digest(token: string): string;
}
