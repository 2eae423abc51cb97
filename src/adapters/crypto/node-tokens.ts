import { createHash, randomBytes } from 'node:crypto';
import type { Tokens } from '../../ports/tokens.ts';

/** Random bytes per `unique()` id: 128 bits. */
const UNIQUE_BYTES = 16;
/** Ids drawn from one call to the system's random source (one 4 KB read serves 256 ids). */
const POOL_IDS = 256;

export class NodeTokens implements Tokens {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** 128 random bits as 32 hex digits, from a pooled buffer (one read of the random source per 256 ids). */
  unique(): string {
    if (this.offset + UNIQUE_BYTES > this.pool.length) {
      this.pool = randomBytes(UNIQUE_BYTES * POOL_IDS);
      this.offset = 0;
    }
    const id = this.pool.toString('hex', this.offset, this.offset + UNIQUE_BYTES);
    this.offset += UNIQUE_BYTES;
    return id;
  }

  random(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }
}
