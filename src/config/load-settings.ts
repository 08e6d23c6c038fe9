/**
 * Reads the settings from their sources in priority order and validates them once. Files are
 * read only when trusted (trusted-file.ts, DESIGN §11); the home is checked before its config.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { closestWord } from "../runtime/closest-word.js";
import { requireCjs } from "../runtime/require-cjs.js";
import { checkHome } from "./home.js";
import { ENV_NAMES, FILE_SECONDS_KEYS, Settings, type SettingsInput } from "./settings.js";
import { SettingsError } from "./settings-error.js";
import { readTrustedFile } from "./trusted-file.js";

/**
 * The keys a config file may hold: the settings' own names (durations in ms), the seconds
 * names of FILE_SECONDS_KEYS, and `$schema` for editors. `authSource` is ours to decide.
 */
const FILE_KEYS: readonly string[] = [
  ...Object.keys(Settings.shape).filter((key) => key !== "authSource"),
  ...Object.keys(FILE_SECONDS_KEYS),
  "$schema",
];

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
  /** Where each setting's value came from (the last layer that set it), for error messages. */
  const where: Record<string, string> = {};
  const config = readConfigFile(cwd, resolve(cwd, home), where);
  const overrides = stripUndefined(options.overrides ?? {});
  const layers: Array<[string, Record<string, unknown>]> = [
    [config.path ? `"auth": "none" in ${config.path}` : "", config.values],
    [`CC_EXECUTOR_AUTH=none in ${dotenvPath}`, fromEnv(dotenv, dotenvPath, where)],
    ["CC_EXECUTOR_AUTH=none in the environment", fromEnv(env, "the environment", where)],
    [options.authFlag ?? "--no-auth", overrides],
  ];
  for (const key of Object.keys(overrides)) where[key] = "the command line";
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
    const issues = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const source = where[String(issue.path[0])];
      return `${name}: ${issue.message}${source ? ` (${source})` : ""}`;
    });
    throw new SettingsError(`invalid settings: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** cc-executor.config.json from the cwd, else from the home (after checking the home). */
function readConfigFile(
  cwd: string,
  home: string,
  where: Record<string, string>,
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
    if (!msKey && !FILE_KEYS.includes(key)) {
      const hint = closestWord(key, FILE_KEYS);
      throw new SettingsError(
        `${path}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; see docs/configuration.md`,
      );
    }
    if (msKey && typeof value !== "number") {
      throw new SettingsError(
        `"${key}" in ${path}: expected seconds (a number), got ${JSON.stringify(value)}`,
      );
    }
    const settingKey = msKey ?? key;
    values[settingKey] = msKey ? Math.round((value as number) * 1000) : value;
    where[settingKey] = `"${key}" in ${path}`;
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
  where: Record<string, string>,
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
    where[key] = `${name} in ${label}`;
  }
  return out;
}

function stripUndefined(values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
