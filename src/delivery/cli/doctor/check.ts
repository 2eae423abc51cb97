/** One line of `parley doctor`: what was checked, whether it is right, and what was found or must be done. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export const passed = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const failed = (name: string, detail: string): CheckResult => ({ name, ok: false, detail });

/** The first line of an error, with its code when it has one: enough to act on, never a stack trace. */
export function reason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = String(e?.message ?? error).split('\n')[0]!;
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
