import { useEffect, useState, type FormEvent } from 'react';
import { put } from '../../api.ts';
import { SignatureField } from '../../components/signature-field.tsx';
import { signatureProblem } from '../../components/signature-check.ts';
import { useOwnSignature } from '../../components/use-own-signature.ts';
import { ErrorNotice, SuccessNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { SavedSignature } from '../../types.ts';

/** Staff only: their own signature, which ${SIGNATURE} puts at the end of the mails of their messages. */
export function SignatureCard() {
  const { t } = useI18n();
  const own = useOwnSignature();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<'saved' | 'removed' | null>(null);
  const [busy, setBusy] = useState(false);
  const loaded = own.data?.signature;

  useEffect(() => {
    if (loaded !== undefined) setText(loaded ?? '');
  }, [loaded]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    if (own.data && signatureProblem(t, text, own.data)) return; // the sentence is already under the box
    setBusy(true);
    setError(null);
    try {
      const saved = await put<SavedSignature>('/me/signature', { signature: text.trim() ? text : null });
      setText(saved.signature ?? '');
      setDone(saved.signature === null ? 'removed' : 'saved');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="account-signature-title">
      <h2 id="account-signature-title" className="card-title">
        {t('signature.title')}
      </h2>
      <form className="form" onSubmit={submit} noValidate aria-label={t('signature.title')}>
        <SignatureField
          id="account-signature"
          label={t('signature.label')}
          hint={t('signature.hint')}
          value={text}
          onChange={(value) => {
            setText(value);
            setDone(null);
          }}
          names={own.data}
        />
        <ErrorNotice error={own.error ?? error} />
        {done ? <SuccessNotice>{t(done === 'saved' ? 'signature.saved' : 'signature.removed')}</SuccessNotice> : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || own.loading}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
