/**
 * Loads CommonJS packages (ws, better-sqlite3, commander, dotenv) with `require`.
 *
 * Importing a CommonJS package through the ESM loader makes Node parse its source with
 * cjs-module-lexer to find named exports; for our dependencies that keeps ~6 MB more resident
 * in every server process (measured: docs/benchmarks.md, "The memory goals"). Types still come from
 * `import type`, so nothing is lost to the type checker.
 */
import { createRequire } from "node:module";

export const requireCjs = createRequire(import.meta.url);
