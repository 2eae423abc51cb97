import { Dialog } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { CannedAnswer } from '../../types.ts';

export function DeleteAnswerDialog(props: { answer: CannedAnswer; onConfirm(): void; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('answers.deleteAsk', { name: props.answer.name })} onClose={props.onClose}>
      <p>{t('answers.deleteLead')}</p>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={props.onConfirm}>
          {t('answers.deleteConfirm')}
        </button>
        <button type="button" className="button" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Dialog>
  );
}
