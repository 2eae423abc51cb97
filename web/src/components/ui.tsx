import {
  Children,
  cloneElement,
  isValidElement,
  useEffect,
  useId,
  useRef,
  type ReactElement,
  type ReactNode,
} from 'react';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MailStatus, OutboxStatus, TicketStatus } from '../types.ts';

/** A page: its title in the tab and as the h1, which takes the focus when the page opens (screen readers hear it). */
export function Page(props: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}) {
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
      {code && code !== 'NETWORK' ? <small className="notice-code">{t('error.supportCode', { code })}</small> : null}
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

/**
 * Names each cell of a table row after its column (`data-label`), counting spans: on a narrow screen the stylesheet
 * shows each row as a card, every value under its column's name. Rows that are not a `<tr>` are left as they are.
 */
export function labelCells(row: ReactNode, labels: readonly string[]): ReactNode {
  if (!isValidElement<{ children?: ReactNode }>(row) || row.type !== 'tr') return row;
  let column = 0;
  const cells = Children.map(row.props.children, (cell) => {
    if (!isValidElement<{ colSpan?: number }>(cell) || cell.type !== 'td') return cell;
    const label = labels[column];
    column += cell.props.colSpan ?? 1;
    return label ? cloneElement(cell as ReactElement<{ 'data-label'?: string }>, { 'data-label': label }) : cell;
  });
  return cloneElement(row, undefined, cells);
}

/**
 * A list as every list page shows it: nothing but a spinner until the first page arrives, a card saying so when it is
 * empty (`empty`: a sentence, or the card's whole content; without it, the table's headers), else a table with a caption for screen readers, one
 * header per column (null leaves a column out) and, with `actions`, a last column for row buttons. Its cells are named
 * after their columns (`labelCells`), so a phone shows each row as a card.
 */
export function TableCard<T>(props: {
  rows: readonly T[] | undefined;
  loading: boolean;
  /** Absent: an empty list shows the table's headers alone. */
  empty?: ReactNode;
  emptyClassName?: string;
  caption: string;
  headers: readonly ReactNode[];
  actions?: boolean;
  className?: string;
  children: (row: T) => ReactNode;
}) {
  const { t } = useI18n();
  if (props.rows === undefined) return props.loading ? <Loading /> : null;
  const labels = props.headers
    .filter((header) => header !== null)
    .map((header) => (typeof header === 'string' ? header : ''));
  if (props.rows.length === 0 && props.empty !== undefined) {
    return (
      <div className={props.emptyClassName ?? 'card'}>
        {typeof props.empty === 'string' ? <Empty>{props.empty}</Empty> : props.empty}
      </div>
    );
  }
  return (
    <div className="card card-flush">
      <table className={props.className ? `table ${props.className}` : 'table'}>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((header, i) =>
              header === null ? null : (
                <th scope="col" key={i}>
                  {header}
                </th>
              ),
            )}
            {props.actions ? (
              <th scope="col">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{props.rows.map((row) => labelCells(props.children(row), labels))}</tbody>
      </table>
    </div>
  );
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

/**
 * A modal dialog (the native `<dialog>`: focus moves into it and stays there, Escape closes it, the page behind is
 * inert). It opens when rendered; `onClose` is called on Escape or the close button, and the caller unmounts it.
 */
export function Dialog(props: { title: string; onClose(): void; children: ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // Start in the first field rather than on the close button.
    dialog
      .querySelector<HTMLElement>(
        '.dialog-body input:not([disabled]), .dialog-body select:not([disabled]), .dialog-body textarea:not([disabled])',
      )
      ?.focus();
    const cancel = (event: Event) => {
      event.preventDefault();
      onClose.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      // Back to where the user was (the button that opened it), when it is still on the page.
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={props.wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}>
      <header className="dialog-header">
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        <button type="button" className="button button-small" onClick={() => props.onClose()}>
          {t('common.close')}
        </button>
      </header>
      <div className="dialog-body">{props.children}</div>
    </dialog>
  );
}
