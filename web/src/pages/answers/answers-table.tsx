import { TableCard } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { CannedAnswer, Named } from '../../types.ts';

/** The answers of a page: name, team (team answers), languages (the default first), and edit and delete buttons. */
export function AnswersTable(props: {
  answers: CannedAnswer[] | undefined;
  loading: boolean;
  teams?: Named[];
  caption: string;
  onEdit(answer: CannedAnswer): void;
  onDelete(answer: CannedAnswer): void;
}) {
  const { t } = useI18n();
  const teamName = (id: number | null) => props.teams?.find((g) => g.id === id)?.name ?? (id === null ? '' : `#${id}`);
  return (
    <TableCard
      rows={props.answers}
      loading={props.loading}
      empty={t('answers.empty')}
      caption={props.caption}
      headers={[t('answers.name'), props.teams ? t('answers.team') : null, t('answers.languages')]}
      actions
    >
      {(answer) => (
        <tr key={answer.id}>
          <td className="cell-strong">{answer.name}</td>
          {props.teams ? <td>{teamName(answer.groupId)}</td> : null}
          <td>{answer.variants.map((v) => v.locale).join(', ')}</td>
          <td className="cell-actions">
            <button
              type="button"
              className="button button-small"
              onClick={() => props.onEdit(answer)}
              aria-label={t('answers.editOf', { name: answer.name })}
            >
              {t('common.edit')}
            </button>{' '}
            <button
              type="button"
              className="button button-small button-danger"
              onClick={() => props.onDelete(answer)}
              aria-label={t('answers.deleteOf', { name: answer.name })}
            >
              {t('common.delete')}
            </button>
          </td>
        </tr>
      )}
    </TableCard>
  );
}
