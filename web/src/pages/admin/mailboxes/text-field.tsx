/**
 * A labelled text input of the mailbox forms, with its hint and its error (each named by `aria-describedby`).
 * `inRow`: it shares a `field-row` with another field and grows to fill it; alone in a form (a column), it keeps its
 * own height.
 */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  type?: string | undefined;
  autoComplete?: string | undefined;
  hint?: string | undefined;
  error?: string | undefined;
  inRow?: boolean | undefined;
}) {
  const { id, hint, error } = props;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-err` : null].filter(Boolean).join(' ');
  return (
    <div className={props.inRow ? 'field field-grow' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete ?? (props.type === 'password' ? 'new-password' : 'off')}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
      />
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-err`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
