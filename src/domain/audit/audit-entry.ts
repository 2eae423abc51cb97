/**
 * The audit log of administrative changes: who (a snapshot of the person, or the command line), when, from where
 * (the client address, or "cli"), what (an action on a target) and what changed (field: before → after). A secret
 * (a password) is named as changed and never kept; a long text (a template's body) is named only.
 */

/** Who made a change and from where: the route passes the signed-in person and `request.ip`; the CLI, `CLI_ORIGIN`. */
export interface Origin {
  actor: { id: number; name: string; email: string } | null;
  address: string;
}

/** A change made from the command line (`parley user ...`, `parley token ...`, the demo seed): nobody signed in. */
export const CLI_ORIGIN: Origin = Object.freeze({ actor: null, address: 'cli' });

export const AUDIT_TARGETS = [
  'parameter',
  'smtp-account',
  'template',
  'user',
  'group',
  'api-token',
  'outbox-entry',
  'canned-answer',
  'webhook-endpoint',
  'webhook-delivery',
  'mailbox',
] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

export const AUDIT_ACTIONS = [
  'parameter.set',
  'smtp-account.save',
  'template.create',
  'template.update',
  'template.delete',
  'user.create',
  'user.edit',
  'user.role',
  'user.deactivate',
  'user.reactivate',
  'user.password',
  'group.create',
  'group.edit',
  'group.delete',
  'token.create',
  'token.revoke',
  'outbox.retry',
  'user.erase',
  'canned-answer.create',
  'canned-answer.update',
  'canned-answer.delete',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.rotate-secret',
  'webhook.resend',
  'mailbox.create',
  'mailbox.update',
  'mailbox.delete',
  'mailbox.oauth.update',
  'mailbox.oauth.connect',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditValue = string | number | boolean | null | number[];

/**
 * One field's change. `withheld`: the value is not kept — `secret` (a password: "changed", never shown), `long`
 * (a text past `MAX_AUDIT_TEXT`: named only) or `erased` (a value about a person whose data was erased since).
 */
export interface AuditChange {
  field: string;
  before?: AuditValue;
  after?: AuditValue;
  withheld?: 'secret' | 'long' | 'erased';
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  actorEmail: string | null;
  address: string;
  action: AuditAction;
  targetType: AuditTarget;
  targetId: string | null;
  targetLabel: string | null;
  changes: AuditChange[];
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Texts longer than this (a template's HTML) are named as changed, not copied into the log. */
export const MAX_AUDIT_TEXT = 500;

/** The retention parameter's default, in days. */
export const DEFAULT_AUDIT_DAYS = 365;
