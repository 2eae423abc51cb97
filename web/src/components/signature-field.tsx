import { useMemo } from 'react';
import { MAX_LENGTH } from '../api/limits.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { signatureProblem, type SignatureKeys } from './signature-check.ts';

/** A signature's text box: its hint, and while typing the first key the server would refuse, as a sentence. */
export function SignatureField(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange(value: string): void;
  /** The key names to check against; no live check until they are known. */
  names: SignatureKeys | undefined;
}) {
  const { t } = useI18n();
  const { id, names, value } = props;
  const problem = useMemo(() => (names ? signatureProblem(t, value, names) : null), [t, value, names]);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        rows={4}
        value={value}
        maxLength={MAX_LENGTH.signature}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-err ${id}-hint` : `${id}-hint`}
      />
      {problem ? (
        <p className="field-error" id={`${id}-err`}>
          {problem}
        </p>
      ) : null}
      <p className="field-hint" id={`${id}-hint`}>
        {props.hint}
      </p>
    </div>
  );
}
