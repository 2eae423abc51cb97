import type { Generated } from 'kysely';

/** Row types of the tables created by `migrations/`. Booleans are 0/1 on SQLite; timestamps are ISO text. */
type Bool = boolean | number;

export interface Database {
  app_user: {
    id: Generated<number>;
    email: string;
    name: string;
    role: string;
    locale: string;
    time_zone: string;
    password_hash: string | null;
    active: Generated<Bool>;
    created_at: string;
    /** Migration 013. */
    erased_at: string | null;
    /** Migration 019: a technician's or administrator's signature. */
    signature: string | null;
  };
  /** `signature`: migration 019. */
  support_group: {
    id: Generated<number>;
    name: string;
    signature: string | null;
    copies_mode: Generated<string>;
    /** Migration 024: the mailbox its tickets' mail goes out from; null: the default. */
    mailbox_id: number | null;
  };
  /** Migration 027: a mailbox's OAuth2 client and grant. */
  mailbox_oauth: {
    mailbox_id: number;
    provider: string;
    client_id: string;
    client_secret_sealed: string | null;
    tenant: string | null;
    authorize_url: string;
    token_url: string;
    scopes: string;
    login: string;
    state: string;
    last_error: string | null;
    refresh_sealed: string | null;
    access_sealed: string | null;
    access_expires_at: string | null;
    refreshing_until: string | null;
    refreshes: Generated<number>;
    updated_at: string;
  };
  /** Migration 027: an OAuth2 authorization under way. */
  oauth_pending: {
    state_hash: string;
    mailbox_id: number;
    user_id: number;
    verifier_sealed: string;
    expires_at: string;
  };
  mailbox: {
    id: Generated<number>;
    name: string;
    from_address: string;
    from_name: string | null;
    smtp_host: string;
    smtp_port: number;
    smtp_security: string;
    smtp_auth: string;
    smtp_user: string | null;
    smtp_password_sealed: string | null;
    allow_invalid_certificate: Bool;
    /** Migration 025: its inbound folder over IMAP; `imap_host` null: none. */
    imap_host: string | null;
    imap_port: number | null;
    imap_security: string | null;
    imap_user: string | null;
    imap_password_sealed: string | null;
    imap_folder: string | null;
    /** Migration 028: `password` or `oauth2`; null while it reads no folder. */
    imap_auth: string | null;
    created_at: string;
    updated_at: string;
  };
  group_member: { group_id: number; user_id: number };
  ticket_copy: { ticket_id: number; user_id: number; added_at: string };
  /** The ticket activity a user has seen (read the thread), per ticket; migration 015. */
  ticket_seen: { user_id: number; ticket_id: number; seen_at: string };
  ticket: {
    id: Generated<number>;
    title: string;
    description: string;
    status: string;
    requester_id: number;
    contact_name: string | null;
    registered_by_id: number;
    group_id: number | null;
    responsible_id: number | null;
    demand_type: string | null;
    activity: string | null;
    related_service: string | null;
    portfolio: string | null;
    category: string | null;
    created_at: string;
    updated_at: string;
    last_activity_at: string;
    /** The time of the last change a requester can see (internal notes leave it); migration 008. */
    public_activity_at: string;
  };
  /** Migration 014: who changed a ticket's status, team, responsible or copies, from what to what (ids, statuses). */
  ticket_event: {
    id: Generated<number>;
    ticket_id: number;
    actor_id: number | null;
    kind: string;
    from_value: string | null;
    to_value: string | null;
    at: string;
  };
  ticket_message: {
    id: Generated<number>;
    ticket_id: number;
    author_id: number;
    text: string;
    internal: Bool;
    send_email: Bool;
    source: string;
    time_spent_minutes: number | null;
    time_spent_date: string | null;
    created_at: string;
    /** Removed at its author's request (erasure); migration 013. */
    removed_at: Generated<string | null>;
    /** Sanitized HTML, null for a plain-text message; migration 023. */
    html: Generated<string | null>;
  };
  system_parameter: { id: number; value: string | null; updated_at: string; updated_by: number | null };
  email_template: {
    id: Generated<number>;
    name: string;
    subject: string;
    html: string;
    text: string | null;
    locale: Generated<string>;
    active: Bool;
    created_at: string;
    updated_at: string;
  };
  template_variant: { template_id: number; locale: string; subject: string; html: string; text: string | null };
  outbox_entry: {
    id: Generated<number>;
    ticket_id: number | null;
    message_id: number | null;
    recipient_id: number | null;
    to_address: string;
    to_name: string;
    subject: string;
    html: string;
    text: string;
    message_id_header: string;
    thread_id: string | null;
    reply_to: string | null;
    status: string;
    attempt_count: Generated<number>;
    attempts_since: string;
    next_attempt_at: string | null;
    lease_until: string | null;
    claim_token: string | null;
    last_reply: string | null;
    created_at: string;
    updated_at: string;
    sent_at: string | null;
    /** Migration 021: the entry this one replaces (sent again to a corrected address). */
    resent_from_id: number | null;
    /** The people the mail copies, JSON `{name, address}[]`; null: none (migration 022). */
    cc: string | null;
    /** Migration 024: the mailbox it goes out from, fixed when queued; null: the default. */
    mailbox_id: number | null;
    /** Migration 032: when an erasure emptied it (never sent, retried or marked bounced again); null: never. */
    erased_at: string | null;
    /** Migration 034: when an erasure took a person out of its Cc; null: never (or before migration 034). */
    cc_erased_at: string | null;
  };
  outbox_attempt: { id: Generated<number>; entry_id: number; at: string; result: string; reply: string | null };
  /** Migration 017. */
  webhook_endpoint: {
    id: Generated<number>;
    url: string;
    description: string;
    /** A JSON list of event names. */
    events: string;
    public_only: Bool;
    active: Bool;
    allow_private: Bool;
    secret_sealed: string;
    created_at: string;
    updated_at: string;
  };
  webhook_delivery: {
    id: Generated<number>;
    endpoint_id: number;
    event_id: string;
    event: string;
    ticket_id: number | null;
    body: string;
    status: string;
    attempt_count: Generated<number>;
    attempts_since: string;
    next_attempt_at: string | null;
    lease_until: string | null;
    claim_token: string | null;
    last_reply: string | null;
    created_at: string;
    updated_at: string;
    delivered_at: string | null;
  };
  webhook_attempt: {
    id: Generated<number>;
    delivery_id: number;
    at: string;
    result: string;
    reply: string | null;
    /** Migration 020. */
    http_status: number | null;
    duration_ms: number | null;
  };
  role_process: {
    id: string;
    role: string;
    host: string;
    pid: number;
    version: string;
    started_at: string;
    seen_at: string;
  };
  user_session: { id_hash: string; user_id: number; csrf_hash: string; created_at: string; expires_at: string };
  /** One row: the last mail keyed when migration 039 ran (0: none, and no key of the earlier format is looked up). */
  inbound_legacy_keys: { until_id: number };
  /** The sign-in limiter's counts, a row per key; migration 011. */
  sign_in_failure: { key: string; failures: number; last_at: string };
  inbound_mail: {
    id: Generated<number>;
    received_at: string;
    updated_at: string;
    status: string;
    reason: string | null;
    reason_text: string | null;
    raw: Buffer;
    size: number;
    sha256: string;
    envelope_from: string | null;
    envelope_to: string;
    remote_address: string | null;
    helo: string | null;
    sender_key: string | null;
    message_id_header: string | null;
    dedupe_key: string | null;
    duplicate_of: number | null;
    from_address: string | null;
    from_name: string | null;
    subject: string | null;
    ticket_id: number | null;
    message_id: number | null;
    outbox_id: number | null;
    text: string | null;
    trimmed: string | null;
    attempts: Generated<number>;
    resolved_by: number | null;
    resolved_at: string | null;
    attachment_note: string | null;
    raw_removed_at: string | null;
    /** The reply's sanitized HTML; migration 026. */
    html: string | null;
    /** Who is processing it (an ingestor's token) and until when; migration 037. */
    lease_token: string | null;
    lease_until: string | null;
  };
  attachment: {
    id: string;
    ticket_id: number | null;
    message_id: number | null;
    inbound_mail_id: number | null;
    position: number;
    name: string;
    content_type: string;
    inline: Bool;
    size: number;
    sha256: string;
    content: Buffer;
    created_at: string;
    /** An inline image's Content-ID (without <>); migration 023. */
    content_id: Generated<string | null>;
  };
  /** Migration 012: the audit log; `changes` is JSON. */
  audit_entry: {
    id: Generated<number>;
    at: string;
    actor_id: number | null;
    actor_name: string | null;
    actor_email: string | null;
    address: string;
    action: string;
    target_type: string;
    target_id: string | null;
    target_label: string | null;
    changes: string;
  };
  api_token: {
    id: Generated<number>;
    token_hash: string;
    user_id: number;
    name: string;
    created_at: string;
    /** Migration 008. */
    expires_at: string | null;
    last_used_at: string | null;
    scope: Generated<string>;
  };
  /** Migration 016: canned answers (a team's or one technician's) and their texts per language. */
  canned_answer: {
    id: Generated<number>;
    name: string;
    group_id: number | null;
    owner_id: number | null;
    created_at: string;
    updated_at: string;
  };
  canned_answer_variant: {
    answer_id: number;
    locale: string;
    body: string;
    is_default: Bool;
  };
}
