/**
 * Whether a queued engine takes one more execution: the same caps as locally (DESIGN §12) —
 * the connection's share, and the workers' total concurrency plus MAX_QUEUED waiting.
 */
import { AdmissionError } from "../../supervisor/admission-error.js";

export interface AdmissionState {
  closing: boolean;
  idInUse: boolean;
  /** Running or queued executions of the requesting connection (null: no connection). */
  sessionCount: number | null;
  running: number;
  queued: number;
  /** The live workers' concurrency, summed. */
  capacity: number;
  workers: number;
}

export function checkAdmission(
  id: string,
  state: AdmissionState,
  limits: { maxPerConnection: number; maxQueue: number },
): void {
  if (state.closing) throw new AdmissionError("limit_reached", "server is shutting down");
  if (state.idInUse) {
    throw new AdmissionError("invalid_request", `execution_id ${id} is already in use`);
  }
  const { maxPerConnection, maxQueue } = limits;
  if (state.sessionCount !== null && state.sessionCount >= maxPerConnection) {
    throw new AdmissionError(
      "limit_reached",
      `this connection already has ${state.sessionCount} executions running or queued (limit ${maxPerConnection})`,
    );
  }
  const { running, queued } = state;
  if (running + queued >= state.capacity + maxQueue) {
    throw new AdmissionError(
      "limit_reached",
      `execution queue is full (${queued} waiting, ${running} running on ${state.workers} workers)`,
    );
  }
}
