import { createHash, randomBytes } from 'node:crypto';
import type { Tokens } from '../../ports/tokens.ts';

export class NodeTokens implements Tokens {
  private readonly prefix = randomBytes(9).toString('base64url');
  private counter = 0;

  unique(): string {
    return `${this.prefix}${(++this.counter).toString(36)}`;
  }

  random(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }
}
