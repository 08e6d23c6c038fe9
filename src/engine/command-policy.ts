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

/**
 * Variables refused in a request's `env` while a list is set (docs/security.md lists them with
 * the reasons): ones that make the shell source a file or resolve the first word elsewhere
 * (PATH, BASH_ENV, ENV, ZDOTDIR, and HOME, where zsh finds .zshenv); ones that load code into
 * a program (LD_*, GCONV_PATH, NODE_OPTIONS, PYTHONPATH…); ones that name a program for a
 * program to run (GIT_SSH_COMMAND and every GIT_*, EDITOR, PAGER, *_ASKPASS…); and
 * XDG_CONFIG_HOME, which swaps the config files (git's among them) that can name such programs.
 */
const RISKY_ENV = new Set([
  // the shell: what it sources, how it resolves and splits the command
  "PATH",
  "HOME",
  "BASH_ENV",
  "ENV",
  "ZDOTDIR",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "IFS",
  "CDPATH",
  "GLOBIGNORE",
  "XDG_CONFIG_HOME",
  // code loaded into a program
  "GCONV_PATH",
  "LOCPATH",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONSTARTUP",
  "PYTHONUSERBASE",
  "PERL5OPT",
  "PERL5LIB",
  "PERLLIB",
  "PERL5DB",
  "RUBYOPT",
  "RUBYLIB",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "LUA_INIT",
  "LUA_PATH",
  "LUA_CPATH",
  // a program another program runs
  "EDITOR",
  "VISUAL",
  "PAGER",
  "MANPAGER",
  "BROWSER",
  "LESSOPEN",
  "LESSCLOSE",
  "SSH_ASKPASS",
  "SUDO_ASKPASS",
]);
const RISKY_ENV_PREFIXES = ["LD_", "DYLD_", "BASH_FUNC_", "GIT_"];

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
