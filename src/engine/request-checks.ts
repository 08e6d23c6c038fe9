/** Checks every request gets before it becomes an execution: its schema, its cwd. */
import { type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import { invalidParamsMessage } from "../protocol/invalid-params.js";
import type * as z from "../protocol/zod.js";
import { InvalidRequestError } from "./errors.js";

/** The request as the schema reads it (defaults filled in); InvalidRequestError otherwise. */
export function parsedRequest<Schema extends z.ZodMiniType>(
  schema: Schema,
  request: unknown,
): z.infer<Schema> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw new InvalidRequestError(invalidParamsMessage(parsed.error.issues));
  return parsed.data;
}

/** The absolute cwd of an execution, which must be an existing directory. */
export function existingDirectory(cwd: string | undefined): string {
  const path = resolve(cwd ?? process.cwd());
  // One stat syscall (microseconds) is cheaper than a thread-pool round trip (~0.1 ms), and
  // this sits on every execution's start.
  const info = statOrNull(path);
  if (!info) throw new InvalidRequestError(`cwd does not exist: ${path}`);
  if (!info.isDirectory()) throw new InvalidRequestError(`cwd is not a directory: ${path}`);
  return path;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // e.g. a path component that is a file, or no permission
  }
}
