/**
 * The server's access token (DESIGN §11): 32 random bytes as hex in `$CC_EXECUTOR_HOME/token`,
 * mode 0600. A token file others can read is refused, not silently used.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export class TokenFileError extends Error {
  override name = "TokenFileError";
}

export function newToken(): string {
  return randomBytes(32).toString("hex");
}

/** Reads the token; null when the file does not exist. */
export function readToken(path: string): string | null {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new TokenFileError(
      `${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); ` +
        `run "chmod 600 ${path}" or "cc-executor token --rotate"`,
    );
  }
  const token = readFileSync(path, "utf8").trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new TokenFileError(`${path} does not hold a token; run "cc-executor token --rotate"`);
  }
  return token;
}

/** The existing token, or a new one written atomically (0600) on first start. */
export function readOrCreateToken(path: string): { token: string; created: boolean } {
  const existing = readToken(path);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another process created it between our read and write: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      return { token: readToken(path) as string, created: false };
    }
    throw error;
  }
  return { token, created: true };
}

export function rotateToken(path: string): string {
  const token = newToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
