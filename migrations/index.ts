import type { Migration } from 'kysely';
import * as core from './001-core.ts';
import * as changeCounter from './002-change-counter.ts';
import * as inbound from './003-inbound.ts';
import * as attachments from './004-attachments.ts';
import * as inboundClaim from './005-inbound-claim.ts';
import * as ticketCopies from './006-ticket-copies.ts';
import * as inboundRawRetention from './007-inbound-raw-retention.ts';
import * as tokensAndSessions from './008-tokens-and-sessions.ts';
import * as inboundSenderProof from './009-inbound-sender-proof.ts';
import * as processes from './010-processes.ts';
import * as signInFailures from './011-sign-in-failures.ts';
import * as auditLog from './012-audit-log.ts';
import * as erasure from './013-erasure.ts';
import * as ticketLife from './014-ticket-life.ts';
import * as queue from './015-queue.ts';
import * as cannedAnswers from './016-canned-answers.ts';
import * as webhooks from './017-webhooks.ts';
import * as templateVariants from './018-template-variants.ts';
import * as signatures from './019-signatures.ts';
import * as webhookAttemptTiming from './020-webhook-attempt-timing.ts';
import * as mailPutRight from './021-mail-put-right.ts';
import * as copiesInCc from './022-copies-in-cc.ts';
import * as richMessages from './023-rich-messages.ts';
import * as mailboxes from './024-mailboxes.ts';
import * as mailboxImap from './025-mailbox-imap.ts';
import * as inboundHtml from './026-inbound-html.ts';
import * as mailboxOauth from './027-mailbox-oauth.ts';
import * as mailboxImapAuth from './028-mailbox-imap-auth.ts';
import * as cacheNotices from './029-cache-notices.ts';
import * as webhookEndpointCache from './030-webhook-endpoint-cache.ts';
import * as webhookUrlsWithheld from './031-webhook-urls-withheld.ts';
import * as outboxErased from './032-outbox-erased.ts';
import * as erasureIndexes from './033-erasure-indexes.ts';
import * as outboxCcErased from './034-outbox-cc-erased.ts';
import * as inboundClaimOnce from './035-inbound-claim-once.ts';
import * as publicThreadIndex from './036-public-thread-index.ts';
import * as inboundLease from './037-inbound-lease.ts';
import * as inboundClaimCountPlannedOnce from './038-inbound-claim-count-planned-once.ts';
import * as inboundLegacyKeys from './039-inbound-legacy-keys.ts';

/** Every migration, in order, run on SQLite and PostgreSQL alike (a migration says so when it concerns one only). */
export const migrations: Record<string, Migration> = {
  '001-core': core,
  '002-change-counter': changeCounter,
  '003-inbound': inbound,
  '004-attachments': attachments,
  '005-inbound-claim': inboundClaim,
  '006-ticket-copies': ticketCopies,
  '007-inbound-raw-retention': inboundRawRetention,
  '008-tokens-and-sessions': tokensAndSessions,
  '009-inbound-sender-proof': inboundSenderProof,
  '010-processes': processes,
  '011-sign-in-failures': signInFailures,
  '012-audit-log': auditLog,
  '013-erasure': erasure,
  '014-ticket-life': ticketLife,
  '015-queue': queue,
  '016-canned-answers': cannedAnswers,
  '017-webhooks': webhooks,
  '018-template-variants': templateVariants,
  '019-signatures': signatures,
  '020-webhook-attempt-timing': webhookAttemptTiming,
  '021-mail-put-right': mailPutRight,
  '022-copies-in-cc': copiesInCc,
  '023-rich-messages': richMessages,
  '024-mailboxes': mailboxes,
  '025-mailbox-imap': mailboxImap,
  '026-inbound-html': inboundHtml,
  '027-mailbox-oauth': mailboxOauth,
  '028-mailbox-imap-auth': mailboxImapAuth,
  '029-cache-notices': cacheNotices,
  '030-webhook-endpoint-cache': webhookEndpointCache,
  '031-webhook-urls-withheld': webhookUrlsWithheld,
  '032-outbox-erased': outboxErased,
  '033-erasure-indexes': erasureIndexes,
  '034-outbox-cc-erased': outboxCcErased,
  '035-inbound-claim-once': inboundClaimOnce,
  '036-public-thread-index': publicThreadIndex,
  '037-inbound-lease': inboundLease,
  '038-inbound-claim-count-planned-once': inboundClaimCountPlannedOnce,
  '039-inbound-legacy-keys': inboundLegacyKeys,
};
