/** Reads the settings from their sources in priority order and validates them once. */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { requireCjs } from "../runtime/require-cjs.js";
import { ENV_NAMES, FILE_SECONDS_KEYS, Settings, type SettingsInput } from "./settings.js";

const { parse: parseDotenv } = requireCjs("dotenv") as typeof import("dotenv");

export interface LoadOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** CLI flags, highest priority. */
  overrides?: Partial<SettingsInput>;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CC_EXECUTOR_HOME ? resolve(env.CC_EXECUTOR_HOME) : join(homedir(), ".cc-executor");
}

export function loadSettings(options: LoadOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dotenvPath = join(cwd, ".env");
  const dotenv = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const envHome = env.CC_EXECUTOR_HOME ?? dotenv.CC_EXECUTOR_HOME;
  const home = options.overrides?.home ?? (envHome ? resolve(cwd, envHome) : defaultHome({}));
  const merged: Record<string, unknown> = {
    home,
    ...readConfigFile(cwd, home),
    ...fromEnv(dotenv, ".env"),
    ...fromEnv(env, "environment"),
    ...stripUndefined(options.overrides ?? {}),
  };
  merged.home = resolve(cwd, String(merged.home));
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new SettingsError(`invalid settings: ${issues.join("; ")}`);
  }
  return parsed.data;
}

function readConfigFile(cwd: string, home: string): Record<string, unknown> {
  for (const path of [
    join(cwd, "cc-executor.config.json"),
    join(home, "cc-executor.config.json"),
  ]) {
    if (!existsSync(path)) continue;
    const raw = parseConfigText(path, readFileSync(path, "utf8"));
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new SettingsError(`${path}: must hold a JSON object`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const msKey = FILE_SECONDS_KEYS[key];
      if (msKey && typeof value === "number") out[msKey] = Math.round(value * 1000);
      else out[key] = value;
    }
    return out;
  }
  return {};
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
      throw new SettingsError(`${name} in the ${label} must be a number, got "${raw}"`);
    }
    out[key] = value;
  }
  return out;
}

function stripUndefined(values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
