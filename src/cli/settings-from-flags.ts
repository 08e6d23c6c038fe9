/** CLI flags shared by commands, turned into settings overrides (highest priority). */
import { loadSettings, SettingsError } from "../config/load-settings.js";
import type { Settings, SettingsInput } from "../config/settings.js";
import { CliError } from "./cli-error.js";

export interface ServerFlags {
  port?: string;
  host?: string;
  auth?: boolean;
}

export function settingsFromFlags(
  flags: ServerFlags,
  extra: Partial<SettingsInput> = {},
): Settings {
  const overrides: Partial<SettingsInput> = { ...extra };
  if (flags.port !== undefined) {
    const port = Number.parseInt(flags.port, 10);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port: not a port: ${flags.port}`, 2);
    overrides.port = port;
  }
  if (flags.host !== undefined) overrides.host = flags.host;
  if (flags.auth === false) overrides.auth = "none";
  try {
    return loadSettings({ overrides });
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message, 2);
    throw error;
  }
}

export function parseSeconds(value: string, flag: string): number {
  const seconds = Number.parseFloat(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CliError(`${flag}: expected seconds > 0, got ${value}`, 2);
  return seconds;
}
