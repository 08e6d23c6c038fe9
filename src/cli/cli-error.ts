/** An error meant for the person at the terminal: its message is printed plainly, no stack. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Errors from below the CLI whose message already tells the user what to do (a token file to
 * fix, a home or history file to move). Matched by name so that a command that never reads the token does not load its module.
 */
const PLAIN_ERROR_NAMES = new Set([
  "TokenFileError",
  "HomeError",
  "SettingsError",
  "StoreUnavailableError",
  "StartError",
]);

/** The message and exit code to print plainly, or null for an error that deserves its stack. */
export function plainError(error: unknown): { message: string; exitCode: number } | null {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof Error && PLAIN_ERROR_NAMES.has(error.name))
    return { message: error.message, exitCode: 1 };
  return null;
}
