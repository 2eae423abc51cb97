import { useI18n, type MessageKey } from '../i18n/i18n.tsx';
import type { ThreadEvent } from '../types.ts';
import { When } from './ui.tsx';

/** Which sentence tells an event, by its kind and whether it had a value before and after. */
function sentenceOf(e: ThreadEvent): MessageKey {
  switch (e.kind) {
    case 'status':
      return 'event.status';
    case 'team':
      return e.from === null ? 'event.teamSet' : e.to === null ? 'event.teamRemoved' : 'event.team';
    case 'responsible':
      return e.from === null
        ? 'event.responsibleSet'
        : e.to === null
          ? 'event.responsibleCleared'
          : 'event.responsible';
    case 'copy_added':
      return 'event.copyAdded';
    case 'copy_removed':
      return 'event.copyRemoved';
  }
}

/** One change of the ticket's life, between the messages: who, what, from what to what, when. */
export function ThreadEventLine({ event }: { event: ThreadEvent }) {
  const { t } = useI18n();
  const value = (v: string | null) =>
    v === null ? '' : event.kind === 'status' ? t(`status.${v}` as MessageKey) : v || t('event.unknown');
  return (
    <li className="thread-event" data-testid="thread-event" data-kind={event.kind}>
      <span className="thread-event-text">
        {t(sentenceOf(event), {
          who: event.actor ? event.actor.name : t('event.system'),
          from: value(event.from),
          to: value(event.to),
        })}
      </span>{' '}
      <span className="msg-time">
        <When iso={event.at} />
      </span>
    </li>
  );
}
