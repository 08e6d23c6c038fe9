/**
 * The environment of a child: the server's own, the request's `env` merged over it (a null value
 * removes a variable), and the variables that make common tools stream unbuffered (DESIGN §5).
 * The server's token never reaches a child (nor the launcher's malloc setting: cli/main.ts
 * takes it out of the environment at start).
 */
const NEVER_INHERITED = ["CC_EXECUTOR_TOKEN"];

/**
 * The server's environment as a plain object, taken when the server starts (children inherit
 * the environment the server was started with, as with any daemon). `process.env` is an
 * accessor object: copying it costs ~40 µs, a plain copy ~3 µs, on every execution's start.
 */
let serverEnv: NodeJS.ProcessEnv | null = null;

export function captureServerEnv(): void {
  serverEnv = { ...process.env, PYTHONUNBUFFERED: "1", NODE_NO_READLINE: "1" };
  for (const name of NEVER_INHERITED) delete serverEnv[name];
}

function snapshotOfServerEnv(): NodeJS.ProcessEnv {
  if (serverEnv === null) captureServerEnv();
  return serverEnv as NodeJS.ProcessEnv;
}

export function childEnv(
  overrides: Record<string, string | null> | undefined,
  executionId: string,
  base?: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = base
    ? { ...base, PYTHONUNBUFFERED: "1", NODE_NO_READLINE: "1" }
    : { ...snapshotOfServerEnv() };
  for (const name of NEVER_INHERITED) delete env[name];
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  env.CC_EXECUTOR_EXECUTION_ID = executionId;
  return env;
}
