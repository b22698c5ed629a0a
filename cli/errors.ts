/*
 * Exit codes of the tokenfold command, in one place (the README lists them):
 *   0 done · 1 failure · 2 bad usage, missing file or folder · 3 fold not found or expired ·
 *   4 no line matches the grep · 5 the input is binary (nothing written; see --passthrough).
 * `tokenfold run` exits with its command's own code instead.
 */
export const EXIT = { done: 0, failure: 1, usage: 2, notFound: 3, noMatch: 4, binary: 5 } as const;

/**
 * A mistake in how the command was called: printed as `tokenfold: <message>`, exit code 2.
 *
 * @example
 * throw new UsageError('line range 20-10 is reversed: did you mean 10-20?');
 */
export class UsageError extends Error {}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
