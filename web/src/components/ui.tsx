import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MailStatus, OutboxStatus, TicketStatus } from '../types.ts';

/** A page: its title in the tab and as the h1, which takes the focus when the page opens (screen readers hear it). */
export function Page(props: { title: string; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; wide?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Parley`;
  }, [props.title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className={props.wide ? 'page page-wide' : 'page'}>
      <header className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {props.title}
          </h1>
          {props.subtitle ? <p className="page-subtitle">{props.subtitle}</p> : null}
        </div>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </div>
  );
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong className="notice-title">{title}</strong> : null}
      <span>{errorText(t, error)}</span>
      {code && code !== 'NETWORK' ? <span className="notice-code">{code}</span> : null}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-success" role="status">
      {children}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

export function OutboxBadge({ status }: { status: OutboxStatus | MailStatus }) {
  const { t } = useI18n();
  return <span className={`badge mail-${status}`}>{t(`outbox.${status}`)}</span>;
}

/** "2 hours ago", with the exact time on hover and for assistive technology. */
export function When({ iso, relative = false }: { iso: string | null | undefined; relative?: boolean }) {
  const i18n = useI18n();
  if (!iso) return null;
  const exact = i18n.dateTime(iso);
  return (
    <time dateTime={iso} title={exact}>
      {relative ? i18n.relative(iso) : exact}
    </time>
  );
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
