import { createHash, randomBytes } from 'node:crypto';
import type { Tokens } from '../../ports/tokens.ts';

export class NodeTokens implements Tokens {
  random(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }
}
