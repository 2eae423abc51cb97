import { useI18n } from '../i18n/i18n.tsx';
import type { Message } from '../types.ts';
import { Dialog, When } from './ui.tsx';

/** Asks before sending a draft begun before these messages arrived; the draft is never touched here. */
export function TrafficCopDialog(props: {
  messages: readonly Message[];
  onSendAnyway(): void;
  onReview(): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  return (
    <Dialog title={t('trafficCop.title')} onClose={props.onClose}>
      <p>{t('trafficCop.intro')}</p>
      <ul className="traffic-cop-messages">
        {props.messages.map((m) => (
          <li key={m.id} className="traffic-cop-message" data-testid="new-message">
            <div className="msg-head">
              <span className="msg-author">{m.author.name}</span>
              <span className="msg-time">
                <When iso={m.createdAt} />
              </span>
            </div>
            <div className="msg-text">{m.removed ? <em>{t('thread.removed')}</em> : m.text}</div>
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={props.onReview}>
          {t('trafficCop.review')}
        </button>
        <button type="button" className="button button-primary" onClick={props.onSendAnyway}>
          {t('trafficCop.sendAnyway')}
        </button>
      </div>
    </Dialog>
  );
}
