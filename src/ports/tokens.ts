/** Unguessable identifiers: session ids, API tokens, Message-IDs; only their digests are stored. */
export interface Tokens {
  random(bytes?: number): string;
  digest(token: string): string;
}
