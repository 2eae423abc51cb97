import type { Clock } from '../ports/clock.ts';
import type { HtmlSanitizer } from '../ports/html-sanitizer.ts';
import type { OAuthClient } from '../ports/oauth-client.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { SecretBox } from '../ports/secret-box.ts';
import type { Signer } from '../ports/signer.ts';
import type { Storage } from '../ports/storage.ts';
import type { Tokens } from '../ports/tokens.ts';

/** The ports a use case may ask for; each use case takes only the ones it needs (`Pick<Deps, ...>`). */
export interface Deps {
  storage: Storage;
  clock: Clock;
  hasher: PasswordHasher;
  secrets: SecretBox;
  tokens: Tokens;
  signer: Signer;
  /** Sanitizes the HTML of messages and mail (one sanitizer both ways). */
  html: HtmlSanitizer;
  /** OAuth2 for mailboxes: the authorization-code flow with PKCE, refresh tokens. */
  oauth: OAuthClient;
  site: {
    /** Base of links in mails, without a trailing slash. */
    publicUrl: string;
    /** Domain of Message-IDs and reply addresses. */
    mailDomain: string;
  };
}

/**
 * The storage a use case takes: only the repositories it uses, e.g. `StorageOf<'tickets' | 'outbox'>`, with
 * `'transaction'` when it groups writes.
 */
export type StorageOf<K extends keyof Storage> = Pick<Storage, K>;
