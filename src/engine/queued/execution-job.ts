/** What a job on the queue carries to a worker: the request as the server's pre-hooks left it. */
import type { TaskRef } from "../../protocol/hooks.js";
import type { ExecutionRequest } from "../engine.js";

export interface ExecutionJob {
  /** Its execution_id is set, and its timeout is the one the server decided (seconds). */
  request: ExecutionRequest;
  task: TaskRef | null;
}
