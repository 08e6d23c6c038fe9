/**
 * ALLOWED_COMMANDS (DESIGN §3): when set, only commands whose first word is listed may run.
 *
 * `execute` runs its command through a shell, so checking the first word alone means nothing:
 * `echo x; rm -rf ~`, `echo $(id)`, `echo x > ~/.bashrc` all start with `echo`, and an `env`
 * such as BASH_ENV or PATH makes the shell run something else entirely. With a list set, a
 * command must therefore be ONE simple command — no control operators, substitutions, groups or
 * redirections — its first word must be listed exactly (a path only if that path is listed), and
 * `env` may not set variables that decide which program runs or what the shell/loader sources.
 * This is a guard rail for well-meaning clients, not a sandbox: an allowed program that runs its
 * arguments (an interpreter, `find -exec`, `xargs`, `env`) still runs anything (docs/security.md).
 */
import { CommandNotAllowedError } from "./errors.js";

/** Shell syntax that chains, substitutes, groups, redirects or evaluates: refused with a list. */
const SHELL_SYNTAX = /[;&|`<>(){}\n\r]|\$\{|\$\[/;

/** Variables that make a shell source a file, change how the first word resolves, or load code. */
const RISKY_ENV = new Set([
  "PATH",
  "BASH_ENV",
  "ENV",
  "ZDOTDIR",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "IFS",
  "CDPATH",
  "GLOBIGNORE",
  "NODE_OPTIONS",
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONSTARTUP",
  "PERL5OPT",
  "PERL5LIB",
  "RUBYOPT",
  "RUBYLIB",
]);
const RISKY_ENV_PREFIXES = ["LD_", "DYLD_", "BASH_FUNC_"];

function notAllowed(message: string): CommandNotAllowedError {
  return new CommandNotAllowedError(`${message} (ALLOWED_COMMANDS is set)`);
}

/** Throws CommandNotAllowedError unless `command` (already trimmed, non-empty) passes the allow-list. */
export function checkAllowedCommand(
  command: string,
  env: Record<string, string | null> | undefined,
  allowed: readonly string[] | null,
): void {
  if (allowed === null) return;
  const first = /^\S+/.exec(command)?.[0] ?? "";
  if (!allowed.includes(first)) throw notAllowed(`command not allowed: ${first}`);
  const syntax = SHELL_SYNTAX.exec(command);
  if (syntax) {
    throw notAllowed(
      `command not allowed: shell syntax ${JSON.stringify(syntax[0])} (one simple command only)`,
    );
  }
  for (const name of Object.keys(env ?? {})) {
    if (RISKY_ENV.has(name) || RISKY_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      throw notAllowed(`env ${name} may not be set`);
    }
  }
}
