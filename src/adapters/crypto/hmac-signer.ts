import { createHmac } from 'node:crypto';
import type { Signer } from '../../ports/signer.ts';

export class HmacSigner implements Signer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', 'parley-signer').update(secret).digest();
  }

  sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('hex');
  }
}
