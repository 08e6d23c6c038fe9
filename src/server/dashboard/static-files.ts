/**
 * The dashboard's built files (dist/web, made by `npm run build` from web/). Only the files found
 * there are served, looked up by exact path in a Map: no path from a request ever reaches the
 * file system, so `..` and friends are simply unknown paths.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

export interface StaticFile {
  path: string;
  contentType: string;
  bytes: number;
  /** Vite's content-hashed assets can be cached for good; index.html never. */
  immutable: boolean;
}

/**
 * dist/web beside the code that runs: src/server/dashboard (tests), dist/server/dashboard (the
 * library) or dist/command (the bundled CLI) — the package root is a few levels up from each.
 */
export function findWebDir(from = dirname(fileURLToPath(import.meta.url))): string | null {
  if (process.env.CC_EXECUTOR_WEB_DIR) return process.env.CC_EXECUTOR_WEB_DIR;
  let dir = from;
  for (let level = 0; level < 5; level++) {
    const candidate = join(dir, "dist", "web");
    if (existsSync(join(candidate, "index.html"))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** URL path (`/assets/index-abc.js`) → file, for every file under `webDir`. */
export function listStaticFiles(webDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else {
        const contentType = CONTENT_TYPES[extname(name)];
        if (!contentType) continue;
        const urlPath = `/${relative(webDir, path).split(sep).join("/")}`;
        files.set(urlPath, {
          path,
          contentType,
          bytes: stat.size,
          immutable: urlPath.startsWith("/assets/"),
        });
      }
    }
  };
  walk(webDir);
  return files;
}
