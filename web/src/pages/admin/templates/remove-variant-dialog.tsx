import { Dialog } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { localeLabel } from './locale-name.ts';

/** Asks before a language is taken out of the template (it is gone once the template is saved). */
export function RemoveVariantDialog(props: { tag: string; onConfirm(): void; onClose(): void }) {
  const { t, locale: uiLocale } = useI18n();
  return (
    <Dialog
      title={t('templates.removeVariantAsk', { language: localeLabel(uiLocale, props.tag) })}
      onClose={props.onClose}
    >
      <p>{t('templates.removeVariantLead')}</p>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={props.onConfirm}>
          {t('templates.removeVariantConfirm')}
        </button>
        <button type="button" className="button" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Dialog>
  );
}
