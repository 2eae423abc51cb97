import { usePresence } from '../../events.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** "Ana is viewing · Bruno is typing…": the colleagues who have the ticket open, announced politely as it changes. */
export function PresenceLine({ ticketNumber }: { ticketNumber: number }) {
  const { t } = useI18n();
  const people = usePresence(ticketNumber);
  return (
    <div
      role="status"
      aria-live="polite"
      aria-label={t('presence.label')}
      className="presence-line"
      data-testid="presence"
    >
      {people.map((person, i) => (
        <span key={person.id} className={person.typing ? 'presence-person presence-typing' : 'presence-person'}>
          {i > 0 ? (
            <span className="subtitle-sep" aria-hidden="true">
              {' · '}
            </span>
          ) : null}
          {person.typing ? t('presence.typing', { name: person.name }) : t('presence.viewing', { name: person.name })}
        </span>
      ))}
    </div>
  );
}
