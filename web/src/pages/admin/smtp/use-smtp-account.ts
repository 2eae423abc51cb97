import { useEffect, useState, type FormEvent } from 'react';
import { get, put } from '../../../api.ts';
import { useMessagingStatus } from '../../../components/messaging-banner.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { SmtpAccount } from '../../../types.ts';
import { formOf, type Form } from './smtp-form.ts';

/** The SMTP account of the admin area: loading it, the form's state, checking the fields and saving them. */
export function useSmtpAccount() {
  const { t } = useI18n();
  const account = useResource(() => get<SmtpAccount>('/admin/smtp-account'), []);
  const status = useMessagingStatus();
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (account.data) setForm(formOf(account.data));
  }, [account.data]);

  const saved0 = account.data;
  const destinationChanged =
    !!form &&
    !!saved0?.passwordSet &&
    (form.host.trim().toLowerCase() !== (saved0.host ?? '').toLowerCase() ||
      Number(form.port) !== saved0.port ||
      form.security !== saved0.security ||
      (form.allowInvalidCertificate && !saved0.allowInvalidCertificate));

  async function save(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!form!.host.trim()) found.host = t('validation.required');
    const port = Number(form!.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) found.port = t('validation.port');
    if (!form!.from.trim()) found.from = t('validation.required');
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form!.from.trim())) found.from = t('validation.email');
    if (form!.auth && !form!.user.trim()) found.user = t('validation.required');
    if (form!.auth && !account.data?.passwordSet && !form!.password) found.password = t('validation.required');
    // A stored password goes only to the server it was entered for: moving the account needs it again.
    else if (form!.auth && !form!.password && destinationChanged) found.password = t('smtp.passwordAgain');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = {
        host: form!.host.trim(),
        port,
        security: form!.security,
        auth: form!.auth,
        user: form!.auth ? form!.user.trim() : form!.user.trim() || null,
        ...(form!.password ? { password: form!.password } : {}),
        from: form!.from.trim(),
        fromName: form!.fromName.trim() || null,
        allowInvalidCertificate: form!.allowInvalidCertificate,
      };
      const result = await put<SmtpAccount>('/admin/smtp-account', body);
      setForm(formOf(result));
      setSaved(true);
      void account.reload();
      void status.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return { account, status, form, setForm, errors, error, saved, busy, save };
}
