/**
 * The server's access token (DESIGN §11): 32 random bytes as hex in `$CC_EXECUTOR_HOME/token`,
 * mode 0600. A token file others can read, or that another user owns (and so could rewrite), is
 * refused, not silently used.
 */
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";

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
  let ownerUid: number;
  try {
    ({ mode, uid: ownerUid } = statSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const myUid = process.getuid?.() ?? ownerUid;
  if (ownerUid !== myUid) {
    // Root rotating a user's token would make it root's, and the user's server refuse it.
    const fix =
      myUid === 0
        ? `run cc-executor as uid ${ownerUid}, or use another home (CC_EXECUTOR_HOME)`
        : `use a home of your own (CC_EXECUTOR_HOME) or run "cc-executor token --rotate"`;
    throw new TokenFileError(
      `${path} belongs to another user (uid ${ownerUid}, this is uid ${myUid}); ${fix}`,
    );
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

/**
 * The existing token, or a new one on first start. The new file appears whole (linked in from a
 * staging file: `link` fails atomically when the name exists, where `open(…, "wx")` would let a
 * concurrent reader see it empty); when another process made one first, theirs is used.
 */
export function readOrCreateToken(path: string): { token: string; created: boolean } {
  const existing = readToken(path);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  const created = withStagedToken(path, token, (staging) => {
    try {
      linkSync(staging, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      return createInPlace(path, token); // a file system without hard links
    }
  });
  return created ? { token, created } : { token: readToken(path) as string, created };
}

/** Creates the file directly: false when it exists already. */
function createInPlace(path: string, token: string): boolean {
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * Replaces the token by renaming a fresh 0600 file over it: a reader sees the old token or the
 * new one, never half of one, and the file is this user's whoever owned the old one.
 */
export function rotateToken(path: string): string {
  const token = newToken();
  withStagedToken(path, token, (staging) => renameSync(staging, path));
  return token;
}

/** Writes `token` to a 0600 staging file beside `path`, hands it to `place`, then removes it. */
function withStagedToken<T>(path: string, token: string, place: (staging: string) => T): T {
  const staging = `${path}.${process.pid}.new`;
  rmSync(staging, { force: true }); // left by a process of the same pid that died midway
  try {
    writeFileSync(staging, `${token}\n`, { mode: 0o600, flag: "wx" });
    return place(staging);
  } finally {
    rmSync(staging, { force: true }); // after a rename it is gone already
  }
}
