/** Why a task-list request was refused (runtime/domain-error.ts; the server maps the codes). */
import { DomainError } from "../runtime/domain-error.js";

/** No run has that id (or id prefix). */
export class TaskRunNotFoundError extends DomainError {
  override name = "TaskRunNotFoundError";
  constructor(ref: string) {
    super("not_found", `no task run ${ref}`);
  }
}

/** The run cannot do that now: its id is taken or ambiguous, it runs already, it has ended. */
export class TaskRunRefusedError extends DomainError {
  override name = "TaskRunRefusedError";
  constructor(message: string) {
    super("invalid_request", message);
  }
}

/** The server is stopping: no run starts. */
export class TaskServiceClosingError extends DomainError {
  override name = "TaskServiceClosingError";
  constructor() {
    super("limit_reached", "server is shutting down");
  }
}
