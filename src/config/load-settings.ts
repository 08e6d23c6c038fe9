/**
 * Reads the settings from their sources in priority order and validates them once. Files are
 * read only when trusted (trusted-file.ts, DESIGN §11); the home is checked before its config.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { requireCjs } from "../runtime/require-cjs.js";
import { checkHome } from "./home.js";
import { ENV_NAMES, FILE_SECONDS_KEYS, Settings, type SettingsInput } from "./settings.js";
import { SettingsError } from "./settings-error.js";
import { readTrustedFile } from "./trusted-file.js";

const { parse: parseDotenv } = requireCjs("dotenv") as typeof import("dotenv");

export { SettingsError };

export interface LoadOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** CLI flags, highest priority. */
  overrides?: Partial<SettingsInput>;
  /** How the CLI flag that turned auth off is spelled, for the warning (default --no-auth). */
  authFlag?: string;
}

export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CC_EXECUTOR_HOME ? resolve(env.CC_EXECUTOR_HOME) : join(homedir(), ".cc-executor");
}

export function loadSettings(options: LoadOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dotenvPath = join(cwd, ".env");
  const dotenvBytes = readTrustedFile(dotenvPath);
  const dotenv = dotenvBytes ? parseDotenv(dotenvBytes) : {};
  const envHome = env.CC_EXECUTOR_HOME ?? dotenv.CC_EXECUTOR_HOME;
  const home = options.overrides?.home ?? (envHome ? resolve(cwd, envHome) : defaultHome({}));
  const config = readConfigFile(cwd, resolve(cwd, home));
  const overrides = stripUndefined(options.overrides ?? {});
  const layers: Array<[string, Record<string, unknown>]> = [
    [config.path ? `"auth": "none" in ${config.path}` : "", config.values],
    [`CC_EXECUTOR_AUTH=none in ${dotenvPath}`, fromEnv(dotenv, dotenvPath)],
    ["CC_EXECUTOR_AUTH=none in the environment", fromEnv(env, "the environment")],
    [options.authFlag ?? "--no-auth", overrides],
  ];
  const merged: Record<string, unknown> = { home };
  let authSource: string | undefined;
  for (const [source, values] of layers) {
    Object.assign(merged, values);
    if ("auth" in values) authSource = values.auth === "none" ? source : undefined;
  }
  merged.home = resolve(cwd, String(merged.home));
  merged.authSource = authSource;
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new SettingsError(`invalid settings: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** cc-executor.config.json from the cwd, else from the home (after checking the home). */
function readConfigFile(
  cwd: string,
  home: string,
): { path: string | null; values: Record<string, unknown> } {
  const inCwd = join(cwd, "cc-executor.config.json");
  let path = inCwd;
  let bytes = readTrustedFile(inCwd);
  checkHomeForSettings(home);
  if (bytes === null) {
    path = join(home, "cc-executor.config.json");
    bytes = readTrustedFile(path);
  }
  if (bytes === null) return { path: null, values: {} };
  const raw = parseConfigText(path, bytes.toString("utf8"));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SettingsError(`${path}: must hold a JSON object`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const msKey = FILE_SECONDS_KEYS[key];
    if (msKey && typeof value === "number") values[msKey] = Math.round(value * 1000);
    else if (key !== "authSource") values[key] = value;
  }
  return { path, values };
}

function checkHomeForSettings(home: string): void {
  try {
    checkHome(home);
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
}

/**
 * The config file is JSON with comments (`//`, `/* *\/`) and trailing commas allowed, as
 * tsconfig.json and VS Code's settings are: `cc-executor init` writes one that explains itself.
 * Read with jsonc-parser (VS Code's own); an error names the line and column.
 */
function parseConfigText(path: string, text: string): unknown {
  const jsonc = requireCjs("jsonc-parser") as typeof import("jsonc-parser");
  const errors: import("jsonc-parser").ParseError[] = [];
  const value = jsonc.parse(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset).split("\n");
    const where = `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
    throw new SettingsError(
      `${path}: not valid JSON (${jsonc.printParseErrorCode(first.error)} at ${where})`,
    );
  }
  return value;
}

function fromEnv(
  source: Record<string, string | undefined>,
  label: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, [key, parse]] of Object.entries(ENV_NAMES)) {
    const raw = source[name];
    if (raw === undefined || raw === "") continue;
    const value = parse(raw);
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new SettingsError(`${name} in ${label} must be a number, got "${raw}"`);
    }
    out[key] = value;
  }
  return out;
}

function stripUndefined(values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
