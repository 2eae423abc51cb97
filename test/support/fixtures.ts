import type { SenderVerifier } from '../../src/ports/sender-verifier.ts';
import { testSenderVerifier } from './sender.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { AesGcmSecretBox } from '../../src/adapters/crypto/aes-gcm-secret-box.ts';
import { HmacSigner } from '../../src/adapters/crypto/hmac-signer.ts';
import { SanitizeHtmlSanitizer } from '../../src/adapters/html/sanitize-html-sanitizer.ts';
import { NodeTokens } from '../../src/adapters/crypto/node-tokens.ts';
import { ScryptPasswordHasher } from '../../src/adapters/crypto/scrypt-password-hasher.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { DEFAULT_TEMPLATES } from '../../src/domain/templates/default-templates.ts';
import { createTemplate } from '../../src/domain/templates/create-template.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createGroup } from '../../src/domain/users/create-group.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { Ticket } from '../../src/domain/tickets/ticket.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { Oauth4webapiClient } from '../../src/adapters/oauth/oauth4webapi-client.ts';

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-03-14T15:09:26.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** Real scrypt, small cost: the same code path as production, fast enough for hundreds of sign-ins. */
export const fastHasher = new ScryptPasswordHasher({ N: 2 ** 10, r: 8, p: 1 });

export function testDeps(
  storage: SqlStorage,
  clock: Clock = new TestClock(),
): Deps & { senderVerifier: SenderVerifier } {
  return {
    senderVerifier: testSenderVerifier(),
    storage,
    clock,
    hasher: fastHasher,
    secrets: new AesGcmSecretBox('test-secret-key-that-is-long-enough-for-parley'),
    tokens: new NodeTokens(),
    signer: new HmacSigner('test-secret-key-that-is-long-enough-for-parley'),
    html: new SanitizeHtmlSanitizer(),
    oauth: new Oauth4webapiClient(),
    site: { publicUrl: 'https://desk.example.test', mailDomain: 'desk.example.test' },
  };
}

export interface World {
  admin: Actor;
  techA: Actor; // group A
  techB: Actor; // group B
  requesterA: Actor;
  requesterB: Actor;
  groupA: number;
  groupB: number;
  /** requesterA's ticket in group A, nobody responsible */
  ticketA: Ticket;
  /** requesterB's ticket in group B, techB responsible */
  ticketB: Ticket;
  templateId: number;
}

/**
 * Two groups, a technician in each, two requesters with one ticket each, the messaging template set in 417 and an
 * SMTP account: messaging available.
 */
export async function buildWorld(deps: Deps, options: { messaging?: boolean } = {}): Promise<World> {
  const user = async (
    role: string,
    email: string,
    name: string,
    extra: { locale?: string; timeZone?: string; groupIds?: number[] } = {},
  ) =>
    (await loadActor(
      deps.storage,
      (await createUser(deps, CLI_ORIGIN, { role, email, name, password: TEST_PASSWORD, ...extra })).id,
    ))!;
  const admin = await user('admin', 'admin@example.test', 'Alex Admin');
  const groupA = (await createGroup(deps, CLI_ORIGIN, { name: 'Group A' })).id;
  const groupB = (await createGroup(deps, CLI_ORIGIN, { name: 'Group B' })).id;
  const techA = await user('technician', 'tech.a@example.test', 'Tina Tech', {
    groupIds: [groupA],
    timeZone: 'America/New_York',
  });
  const techB = await user('technician', 'tech.b@example.test', 'Bruno Técnico', {
    groupIds: [groupB],
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
  });
  const requesterA = await user('requester', 'req.a@example.test', 'João Muñoz', {
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
  });
  const requesterB = await user('requester', 'req.b@example.test', 'Rita Requester', {
    locale: 'es-ES',
    timeZone: 'Europe/Madrid',
  });
  const ticketA = await openTicket(deps, requesterA, {
    title: 'Printer jams',
    description: 'The 3rd floor printer jams.',
    groupId: groupA,
    demandType: 'Incident',
    activity: 'Printing',
    relatedService: 'Office devices',
    portfolio: 'IT services',
    category: 'Hardware',
  });
  const ticketB0 = await openTicket(deps, requesterB, {
    title: 'New laptop',
    description: 'Please order one.',
    groupId: groupB,
  });
  const { updateTicket } = await import('../../src/domain/tickets/update-ticket.ts');
  const ticketB = await updateTicket(deps, admin, ticketB0.number, { responsibleId: techB.id });
  const templateId = (await createTemplate(deps, CLI_ORIGIN, DEFAULT_TEMPLATES['en-US'])).id;
  if (options.messaging !== false) {
    await setParameter(deps, CLI_ORIGIN, admin, PARAM.MESSAGING_TEMPLATE, templateId);
    await saveSmtpAccount(deps, CLI_ORIGIN, admin, {
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      auth: true,
      user: 'desk',
      password: 'smtp-pass-Zx9!',
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
  }
  return { admin, techA, techB, requesterA, requesterB, groupA, groupB, ticketA, ticketB, templateId };
}
