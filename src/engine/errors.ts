/** The engine's refusals (runtime/domain-error.ts; the server maps their codes to the wire). */
import { DomainError } from "../runtime/domain-error.js";

/** A request field is invalid, or names what cannot be used (a cwd that does not exist). */
export class InvalidRequestError extends DomainError {
  override name = "InvalidRequestError";
  constructor(message: string, data?: unknown) {
    super("invalid_request", message, data);
  }
}

/** The command is empty or ALLOWED_COMMANDS refuses it. */
export class CommandNotAllowedError extends DomainError {
  override name = "CommandNotAllowedError";
  constructor(message: string) {
    super("not_allowed", message);
  }
}

export class ExecutionNotFoundError extends DomainError {
  override name = "ExecutionNotFoundError";
  constructor(message: string) {
    super("not_found", message);
  }
}
