/**
 * Who may have written a file or folder that cc-executor obeys (DESIGN §11): settings files and
 * the home are trusted only when they belong to the user running cc-executor (or root) and no
 * one else can write them. Otherwise another local user could plant `CC_EXECUTOR_AUTH=none` or
 * a pre-hook, and the server would run it with our rights.
 */
import type { Stats } from "node:fs";

/** Why `stats` (of `path`) cannot be trusted, as "<path> … ; <fix>", or null when it can. */
export function untrustedReason(path: string, stats: Stats): string | null {
  const myUid = process.getuid?.() ?? stats.uid;
  if (stats.uid !== myUid && stats.uid !== 0) {
    return (
      `${path} belongs to another user (uid ${stats.uid}; this is uid ${myUid}), who could ` +
      `have planted it; remove it, or if you trust it: chown ${myUid} ${path}`
    );
  }
  if ((stats.mode & 0o022) !== 0) {
    return (
      `${path} can be written by other users (mode ${(stats.mode & 0o7777).toString(8)}); ` +
      `run: chmod go-w ${path}`
    );
  }
  return null;
}
