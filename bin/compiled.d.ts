/** The compiled command line (dist/), run when current. */
export const COMPILED_CLI: string;
/** Whether dist/ was built after the last change to src/ and migrations/ (and PARLEY_RUN_FROM is not `source`). */
export function compiledIsCurrent(env?: Record<string, string | undefined>): boolean;
