/**
 * A worker's report (queue-messages.ts), read from the output stream, applied to the execution
 * it is about. Reports of executions this server does not hold (a predecessor's) or that have
 * ended (given up here before the worker's own end came) are ignored: one end each.
 */
import type { ExecutionSet } from "./execution-set.js";
import type { WorkerMessage } from "./queue-messages.js";

export function deliverMessage(executions: ExecutionSet, message: WorkerMessage): void {
  const execution = executions.get(message.id);
  if (!execution || execution.isFinal) return;
  switch (message.type) {
    case "taken":
      execution.taken(message.workerId);
      return;
    case "output":
      execution.applyOutput(message.chunk);
      return;
    case "event":
      execution.applyEvent(message.event);
      return;
    case "ended":
      execution.applyEnd(message.result);
      return;
  }
}
