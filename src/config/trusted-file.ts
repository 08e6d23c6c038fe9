/**
 * Reads a settings file (`.env`, `cc-executor.config.json`) only when it can be trusted
 * (owner-check.ts). The checks are made on the open descriptor, so the file read is the file
 * checked even if the name is swapped meanwhile.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { untrustedReason } from "./owner-check.js";
import { SettingsError } from "./settings-error.js";

/** The file's bytes, or null when there is no such file. Throws SettingsError when untrusted. */
export function readTrustedFile(path: string): Buffer | null {
  let fd: number;
  try {
    // Non-blocking: a FIFO planted under the name must not hang the start.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new SettingsError(`cannot read ${path} (${code ?? (error as Error).message})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new SettingsError(`${path} is not a regular file; remove it or rename it`);
    }
    const reason = untrustedReason(path, stats);
    if (reason) throw new SettingsError(`not reading settings: ${reason}`);
    return readFileSync(fd);
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SettingsError(`cannot read ${path} (${code ?? (error as Error).message})`);
  } finally {
    closeSync(fd);
  }
}
