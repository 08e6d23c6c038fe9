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
