import type { Clock } from '../../ports/clock.ts';
import { DeliveryFailure, MailWithdrawn, type MailTransports } from '../../ports/mail-transport.ts';
import type { SecretBox } from '../../ports/secret-box.ts';
import type { Storage } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import { sendingAccounts, type SendingAccount } from '../mailboxes/sending-accounts.ts';
import { scrubSecrets } from '../parameters/secret-scrub.ts';
import { OUTGOING_ATTACHMENT_LIMITS, type MailAttachment } from '../messages/attachment.ts';
import { isEmailAddress } from '../users/user.ts';
import type { Signer } from '../../ports/signer.ts';
import { bounceAddress } from './bounce-address.ts';
import { composeMail } from './compose-mail.ts';
import { DELIVERY_SENTENCES, gaveUpSentence, recipientInvalidSentence } from './delivery-results.ts';
import type { OutboxEntry } from './outbox-entry.ts';
import { mailWebhooks } from '../webhooks/mail-webhooks.ts';
import { withAccessTokens } from '../mailboxes/oauth/access-token.ts';
import type { OAuthClient } from '../../ports/oauth-client.ts';
import { limiter } from './limiter.ts';
import { OutcomeRecorder } from './outcome-recorder.ts';
import { withdrawalsHeard, type OnWithdrawn } from './withdrawals-heard.ts';

export interface DispatchPolicy {
  batchSize: number;
  /** Mails sent at once from one batch (the transport pools its connections). */
  concurrency: number;
  /** How long a claim holds before another dispatcher may take the mail over. */
  leaseSeconds: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  giveUpHours: number;
}

export interface DispatchDeps {
  storage: Storage;
  clock: Clock;
  secrets: SecretBox;
  tokens: Tokens;
  transports: MailTransports;
  /** Signs each mail's bounce address (its envelope sender), at the mail domain. */
  signer: Signer;
  site: { mailDomain: string; publicUrl?: string };
  /** OAuth2 for mailboxes that sign in with it (their mail is deferred without it). */
  oauth?: OAuthClient;
  /** 0 ≤ x < 1; injectable so tests can pin the jitter. */
  random?: () => number;
}

export interface BatchResult {
  claimed: number;
  sent: number;
  deferred: number;
  failed: number;
  requeued: number;
}

/**
 * The delay before attempt `attempt + 1`: the base doubled per attempt, capped, with ±20 % jitter so many deferred
 * mails do not return together, and always within [base, max].
 */
export function retryDelaySeconds(
  policy: Pick<DispatchPolicy, 'retryBaseSeconds' | 'retryMaxSeconds'>,
  attempt: number,
  random: () => number,
): number {
  const doubled = Math.min(policy.retryMaxSeconds, policy.retryBaseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = doubled * (0.8 + 0.4 * random());
  return Math.round(Math.min(policy.retryMaxSeconds, Math.max(policy.retryBaseSeconds, jittered)));
}

/**
 * One round of the dispatcher: re-queue expired claims (unless `requeue` is false), claim a batch, send each mail and
 * record the attempt. With `takeOver`, it claims only the mails it re-queued.
 * 4xx, resets and timeouts defer with a growing delay; 5xx and undeliverable mail fail at once; mail still failing
 * after the give-up time fails. Returns counts; never throws for a mail's sake.
 */
export async function dispatchBatch(
  deps: DispatchDeps,
  policy: DispatchPolicy,
  options: {
    requeue?: boolean;
    /** Mail this batch may hold was taken back: its claims are renewed at once, so what it no longer holds is not sent. */
    onWithdrawn?: OnWithdrawn;
    /**
     * Taking over a dead dispatcher's mail beside a batch still running: re-queues expired claims (whatever `requeue`
     * says) and claims those mails only (none when none expired), not older mail due before them: it holds what the
     * dead one held, as much as another dispatcher did not claim first, and no more.
     */
    takeOver?: boolean;
  } = {},
): Promise<BatchResult> {
  const withdrawals = withdrawalsHeard(options.onWithdrawn);
  const takeOver = options.takeOver === true;
  const how = { requeue: takeOver || options.requeue !== false, takeOver };
  try {
    return await claimAndSend(deps, policy, how, withdrawals.attach);
  } finally {
    withdrawals.stop();
  }
}

async function claimAndSend(
  deps: DispatchDeps,
  policy: DispatchPolicy,
  how: { requeue: boolean; takeOver: boolean },
  hear: (renew: () => void) => void,
): Promise<BatchResult> {
  const random = deps.random ?? Math.random;
  const started = deps.clock.now();
  const requeuedIds = how.requeue ? await deps.storage.outbox.requeueExpiredClaims(started.toISOString()) : [];
  const requeued = requeuedIds.length;
  const none: BatchResult = { claimed: 0, sent: 0, deferred: 0, failed: 0, requeued };
  if (how.takeOver && requeued === 0) return none;
  const token = deps.tokens.random(12);
  const leaseMs = policy.leaseSeconds * 1000;
  const entries = await deps.storage.outbox.claimOutbox({
    now: started.toISOString(),
    leaseUntil: new Date(started.getTime() + leaseMs).toISOString(),
    token,
    // A take-over claims every entry it re-queued, were it more than a batch (a dead dispatcher may have held its
    // batch and a take-over's): what it left would be due again with no expired claim left to wake anyone for it.
    ...(how.takeOver ? { ids: requeuedIds, limit: Math.max(policy.batchSize, requeued) } : { limit: policy.batchSize }),
  });
  const result: BatchResult = { ...none, claimed: entries.length };
  if (entries.length === 0) return result;

  // The claims are renewed while the batch runs; a mail whose claim was lost (this process stalled past its lease
  // and another dispatcher took the mail over) is left alone rather than sent twice.
  const held = new Set(entries.map((e) => e.id));
  let heldUntil = started.getTime() + leaseMs;
  const renew = async () => {
    const at = deps.clock.now().getTime();
    const still = new Set(await deps.storage.outbox.renewClaims(token, new Date(at + leaseMs).toISOString()));
    for (const id of held) if (!still.has(id)) held.delete(id);
    heldUntil = at + leaseMs;
  };
  // A renewal that fails (database unreachable) is handled by `stillHeld`: once the last successful renewal is too
  // old, the rest of the batch is left for whoever re-queues it, never sent on a claim that may have passed on.
  // Renewed on a timer of its own, whatever the sends are doing: a slow server never lets a live claim run out.
  const renewal = setInterval(() => void renew().catch(() => {}), Math.max(100, leaseMs / 3));
  hear(() => void renew().catch(() => {}));
  // A mail goes to SMTP only while its claim has a third of the lease left: at most one renewal may have been missed.
  const stillHeld = (id: number) => held.has(id) && deps.clock.now().getTime() < heldUntil - leaseMs / 3;

  try {
    return await sendClaimed(deps, policy, entries, { token, random, result, stillHeld });
  } finally {
    // Also when reading the account or the attachments fails: a batch that ends stops renewing its claims, which
    // then expire and re-queue the mail.
    clearInterval(renewal);
  }
}

async function sendClaimed(
  deps: DispatchDeps,
  policy: DispatchPolicy,
  entries: readonly OutboxEntry[],
  batch: { token: string; random: () => number; result: BatchResult; stillHeld: (id: number) => boolean },
): Promise<BatchResult> {
  const { token, random, result, stillHeld } = batch;
  // Each mail goes out from the mailbox it was queued for, read once per batch. An account that cannot be used (a
  // password the current key cannot open, a refused login, an OAuth2 provider that refuses or does not answer in
  // time) defers its mail with the reason, instead of failing each one or trying to sign in once per mail.
  const accountOf = sendingAccounts(withAccessTokens(deps), deps.storage);
  // Every mailbox's account is read at once (its access token refreshed when due), and each mailbox's mail waits for
  // its own account only: a provider slow to answer holds back no other mailbox's mail. An account that cannot be
  // read (the database) stops the batch from sending more, and ends it once the sends under way are over.
  const unreadable: unknown[] = [];
  const accounts = new Map<number | null, Promise<SendingAccount | null>>();
  for (const mailboxId of new Set(entries.map((e) => e.mailboxId)))
    accounts.set(
      mailboxId,
      accountOf(mailboxId).catch((error: unknown) => {
        unreadable.push(error);
        return null;
      }),
    );
  // The messages' attachments travel with their mails, as many as fit the size one mail may carry (the others are
  // named in the mail: they are on the ticket). Listed once per batch; the bytes are read for each mail as it is sent.
  const filesOf = new Map<number, { send: MailAttachment[]; omitted: MailAttachment[]; bytes: number }>();
  {
    const messageIds = [...new Set(entries.flatMap((e) => (e.messageId === null ? [] : [e.messageId])))];
    for (const file of await deps.storage.attachments.mailAttachments(messageIds)) {
      const plan = filesOf.get(file.messageId) ?? { send: [], omitted: [], bytes: 0 };
      if (plan.bytes + file.size <= OUTGOING_ATTACHMENT_LIMITS.maxTotalBytes) {
        plan.send.push(file);
        plan.bytes += file.size;
      } else {
        plan.omitted.push(file);
      }
      filesOf.set(file.messageId, plan);
    }
  }
  const filesFor = async (entry: OutboxEntry) => {
    const plan = entry.messageId === null ? undefined : filesOf.get(entry.messageId);
    if (!plan) return { files: [], omitted: [] };
    const read = await Promise.all(
      plan.send.map(async (f) => ({ ...f, content: await deps.storage.attachments.attachmentContent(f.id) })),
    );
    const files = read.flatMap((f) =>
      f.content ? [{ name: f.name, contentType: f.contentType, content: f.content, contentId: f.contentId }] : [],
    );
    return { files, omitted: plan.omitted };
  };

  // The `mail.*` webhooks: one read of the endpoints per batch; nothing more when none takes a mail event.
  const hooks = await mailWebhooks(
    deps,
    entries.map((e) => e.id),
  );
  const recorder = new OutcomeRecorder(deps.storage, token);
  const recording: Promise<void>[] = [];
  const send = async (entry: OutboxEntry, account: SendingAccount) => {
    if (!stillHeld(entry.id) || recorder.failed || unreadable.length > 0) return;
    let outcome: { status: 'sent' | 'deferred' | 'failed'; reply: string };
    if (account.problem !== null || !account.transport) {
      outcome = { status: 'deferred', reply: account.problem ?? DELIVERY_SENTENCES.NO_ACCOUNT };
    } else if (!isEmailAddress(entry.toAddress)) {
      outcome = { status: 'failed', reply: recipientInvalidSentence(entry.toAddress) };
    } else {
      try {
        const { files, omitted } = await filesFor(entry);
        outcome = {
          status: 'sent',
          reply: (
            await account.transport.send(
              composeMail(
                entry,
                account.from,
                files,
                omitted,
                bounceAddress(deps.signer, deps.site.mailDomain, entry.id),
              ),
              // Its claim is checked again when a connection is free for it: mail waiting for one is not sent once
              // it was taken back.
              { stillWanted: () => stillHeld(entry.id) },
            )
          ).reply,
        };
      } catch (error) {
        // Taken back while it waited for a connection: nothing was sent, nothing is recorded.
        if (error instanceof MailWithdrawn) return;
        const failure =
          error instanceof DeliveryFailure
            ? error
            : new DeliveryFailure('Unexpected', false, DELIVERY_SENTENCES.UNEXPECTED, { cause: error });
        if (failure.account) account.problem = failure.reply;
        outcome = { status: failure.permanent ? 'failed' : 'deferred', reply: failure.reply };
      }
    }
    const now = deps.clock.now();
    let nextAttemptAt: string | null = null;
    if (outcome.status === 'deferred') {
      const ageHours = (now.getTime() - new Date(entry.attemptsSince).getTime()) / 3_600_000;
      if (ageHours >= policy.giveUpHours) {
        outcome = { status: 'failed', reply: gaveUpSentence(policy.giveUpHours, outcome.reply) };
      } else {
        nextAttemptAt = new Date(
          now.getTime() + retryDelaySeconds(policy, entry.attemptCount + 1, random) * 1000,
        ).toISOString();
      }
    }
    // The transport removed the credentials already; removed here too, as the one check every recorded reply passes.
    if (account.settings) {
      const oauth2 = account.settings.oauth2;
      outcome.reply = scrubSecrets(outcome.reply, [
        account.settings,
        ...(oauth2 ? [{ user: oauth2.user, password: oauth2.accessToken }] : []),
      ]);
    }
    const status = outcome.status;
    const at = now.toISOString();
    const webhooks = hooks?.(entry.id, {
      event: `mail.${status}`,
      at,
      reply: status === 'sent' ? null : outcome.reply,
      attempts: entry.attemptCount + 1,
    });
    // Not awaited here: the connection takes the next mail while the outcome waits for its group's commit.
    recording.push(
      recorder
        .record(entry.id, { ...outcome, at, nextAttemptAt, ...(webhooks?.length ? { webhooks } : {}) })
        .then((recorded) => void (recorded && result[status]++)),
    );
  };
  // At most `concurrency` mails at once, taken in the batch's order as their accounts become ready.
  const slot = limiter(policy.concurrency);
  const byMailbox = new Map<number | null, OutboxEntry[]>();
  for (const e of entries) {
    const mails = byMailbox.get(e.mailboxId);
    if (mails) mails.push(e);
    else byMailbox.set(e.mailboxId, [e]);
  }
  await Promise.all(
    [...byMailbox].map(async ([mailboxId, mails]) => {
      const account = await accounts.get(mailboxId)!;
      if (account) await Promise.all(mails.map((entry) => slot(() => send(entry, account))));
    }),
  );
  await Promise.all(recording);
  if (unreadable.length > 0) throw unreadable[0];
  return result;
}
