import type { Repositories } from '../../../ports/storage.ts';
import { SqlAttachmentRepository } from './repositories/attachment-repository.ts';
import { SqlCannedAnswerRepository } from './repositories/canned-answer-repository.ts';
import { SqlAuditRepository } from './repositories/audit-repository.ts';
import { SqlInboundMailRepository } from './repositories/inbound-mail-repository.ts';
import { SqlMessageRepository } from './repositories/message-repository.ts';
import { SqlOutboxRepository } from './repositories/outbox-repository.ts';
import { SqlPeopleRepository } from './repositories/people-repository.ts';
import { SqlProcessRepository } from './repositories/process-repository.ts';
import { SqlSessionRepository } from './repositories/session-repository.ts';
import { SqlSettingsRepository } from './repositories/settings-repository.ts';
import { SqlSignInFailureRepository } from './repositories/sign-in-failure-repository.ts';
import { SqlTicketRepository } from './repositories/ticket-repository.ts';
import { SqlUnitOfWork } from './repositories/unit-of-work.ts';
import { SqlWebhookRepository } from './repositories/webhook-repository.ts';
import { SqlMailboxRepository } from './repositories/mailbox-repository.ts';
import type { SqlContext } from './sql-dialect.ts';
import { SqlMailboxOAuthRepository } from './repositories/mailbox-oauth-repository.ts';

/** Every repository, on one context (a connection, or an open transaction). */
export function createRepositories(ctx: SqlContext): Repositories {
  return {
    people: new SqlPeopleRepository(ctx),
    tickets: new SqlTicketRepository(ctx),
    messages: new SqlMessageRepository(ctx),
    settings: new SqlSettingsRepository(ctx),
    outbox: new SqlOutboxRepository(ctx),
    inbound: new SqlInboundMailRepository(ctx),
    attachments: new SqlAttachmentRepository(ctx),
    sessions: new SqlSessionRepository(ctx),
    processes: new SqlProcessRepository(ctx),
    signInFailures: new SqlSignInFailureRepository(ctx),
    audit: new SqlAuditRepository(ctx),
    cannedAnswers: new SqlCannedAnswerRepository(ctx),
    webhooks: new SqlWebhookRepository(ctx),
    mailboxes: new SqlMailboxRepository(ctx),
    mailboxOAuth: new SqlMailboxOAuthRepository(ctx),
    atomic: new SqlUnitOfWork(ctx),
  };
}

/** A repository with some methods replaced (a cache, a group commit); the rest are the inner one's. */
export function overriding<T extends object>(inner: T, overrides: Partial<T>): T {
  return Object.assign(Object.create(inner) as T, overrides);
}
