/**
 * The errors the service's parts throw at their callers: each says what went wrong in words and
 * carries a code that says what kind of refusal it is. The parts never speak JSON-RPC: the
 * server maps these codes to the wire's error codes in one place (server/wire/rpc-errors.ts),
 * and other callers (the CLI, task lists, later the MCP server) read the code directly.
 */
export type DomainErrorCode =
  /** The request is malformed or names something that cannot be used (a field, a cwd, an id). */
  | "invalid_request"
  /** A policy refused the work (ALLOWED_COMMANDS, a pre-hook's veto, an empty command). */
  | "not_allowed"
  /** What the request names does not exist (an execution, a task run). */
  | "not_found"
  /** A cap was reached or the service is shutting down: try again later. */
  | "limit_reached";

export class DomainError extends Error {
  override name = "DomainError";

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Details for the caller (they travel as the JSON-RPC error's `data`). */
    readonly data?: unknown,
  ) {
    super(message);
  }
}
