import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../ports/secret-box.ts';

/** AES-256-GCM with a key derived from PARLEY_SECRET_KEY (or the key file); sealed as `v1.<iv>.<tag>.<data>`. */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`parley-secret-box:${secret}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((x) => (typeof x === 'string' ? x : x.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined)
      throw new Error('The stored secret is not in a known format.');
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== 16) throw new Error('The stored secret is damaged (its authentication tag is incomplete).');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(authTag);
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error(
        'The stored secret cannot be opened: PARLEY_SECRET_KEY (or data/secret.key) changed since it was saved.',
        { cause },
      );
    }
  }
}
