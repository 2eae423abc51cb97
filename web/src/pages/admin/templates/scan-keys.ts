export type Field = 'subject' | 'html' | 'text';
export interface KeyProblem {
  field: Field;
  key: string | null;
  line: number;
  column: number;
}
/** The same scan the server makes at save: every `${NAME}` must be a registry key or alias. */
export function scanKeys(field: Field, source: string, known: Set<string>): KeyProblem[] {
  const problems: KeyProblem[] = [];
  let i = source.indexOf('${');
  while (i !== -1) {
    const close = source.indexOf('}', i + 2);
    const before = source.slice(0, i);
    const line = before.split('\n').length;
    const column = i - before.lastIndexOf('\n');
    if (close === -1 || close - i - 2 > 64) {
      problems.push({ field, key: null, line, column });
      break;
    }
    const name = source.slice(i + 2, close);
    if (!known.has(name)) problems.push({ field, key: name, line, column });
    i = source.indexOf('${', close + 1);
  }
  return problems;
}
