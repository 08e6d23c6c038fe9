/**
 * The glibc malloc setting a server process is started with, and keeping it from the commands
 * the server runs (docs/benchmarks.md, "Spawn cost after a large stream").
 *
 * `MALLOC_TRIM_THRESHOLD_=131072` is glibc's default value, but setting it at all turns off
 * glibc's dynamic mmap threshold: left on, freeing one large buffer raises the size below which
 * buffers come from malloc's arenas (up to 32 MiB), and arena memory is rarely given back. After
 * a large stream the server then kept ~10 MB more resident memory in its arenas, and every
 * later fork copies page tables for it (+0.2 ms of server CPU per `execute`). With the setting,
 * buffers of 128 KiB or more are mapped and unmapped one by one, and the arenas are trimmed.
 *
 * It must be in the environment when node starts: bin/cc-executor.mjs sets it (unless the user
 * did), as `server start --detach` does. The variable names it added go in LAUNCHER_ENV_MARK,
 * so a child gets the environment the user started the server with: cli/main.ts takes them
 * out of process.env at start (glibc has read them by then), before anything is spawned.
 */
export const LAUNCHER_ENV_MARK = "CC_EXECUTOR_LAUNCHER_ENV";

const SERVER_MALLOC_ENV: Record<string, string> = { MALLOC_TRIM_THRESHOLD_: "131072" };

/** `env` with the server's malloc setting added where the user set none, and marked as ours. */
export function withServerMallocEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result = { ...env };
  const added = (result[LAUNCHER_ENV_MARK] ?? "").split(" ").filter(Boolean);
  for (const [name, value] of Object.entries(SERVER_MALLOC_ENV)) {
    if (result[name] !== undefined) continue;
    result[name] = value;
    added.push(name);
  }
  if (added.length > 0) result[LAUNCHER_ENV_MARK] = added.join(" ");
  return result;
}

/** Removes from `env` (in place) the variables the launcher added for the server itself. */
export function dropLauncherEnv(env: NodeJS.ProcessEnv): void {
  for (const name of (env[LAUNCHER_ENV_MARK] ?? "").split(" ")) {
    if (Object.hasOwn(SERVER_MALLOC_ENV, name)) delete env[name];
  }
  delete env[LAUNCHER_ENV_MARK];
}
