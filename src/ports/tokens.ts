/** Unguessable identifiers: session ids, API tokens, Message-IDs; only their digests are stored. */
export interface Tokens {
  random(bytes?: number): string;
  /**
   * Unguessable identifiers that travel in the clear, such as Message-IDs: 128 random bits (32 hex digits), so that
   * nobody can name another's mail (a forged bounce, say) by guessing its id.
   */
  unique(): string;
  digest(token: string): string;
}
