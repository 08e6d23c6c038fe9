/**
 * `history.list` and `history.get` (DESIGN §4, issue 4): past and current executions from the
 * history store, newest first; `history.get` adds the output — from the spool files while they
 * exist, else the head and tail the store kept, and says which.
 */
import { ExecutionNotFoundError, InvalidRequestError } from "../../engine/errors.js";
import { toWireExecution, toWireOutput } from "../../store/record-wire.js";
import { readRecordedOutput } from "../../store/recorded-output.js";
import { parseSince } from "../../store/time-spec.js";
import { defineMethod } from "../method-table.js";

export const historyList = defineMethod("history.list", async (params, call) => {
  const { store } = call.server.history;
  let sinceMs: number | undefined;
  if (params.since !== undefined) {
    const parsed = parseSince(params.since);
    if (parsed === null) {
      throw new InvalidRequestError("since: expected an ISO 8601 time or epoch seconds");
    }
    sinceMs = parsed;
  }
  // Pending writes first, so the query sees executions that just started or ended.
  await call.server.recorder.flush();
  const records = await store.listExecutions({
    limit: params.limit,
    offset: params.offset,
    statuses: params.status === undefined ? undefined : [params.status].flat(),
    kind: params.kind,
    sinceMs,
  });
  return { executions: records.map(toWireExecution), count: records.length };
});

export const historyGet = defineMethod("history.get", async (params, call) => {
  const { store } = call.server.history;
  const id = params.execution_id;
  // A live execution's last output may still be on its way to the spool files.
  await call.server.engine.get(id)?.spool?.flushed();
  await call.server.recorder.flush();
  const record = await store.getExecution(id);
  if (!record) throw new ExecutionNotFoundError(`no execution ${id} in history`);
  const output = await readRecordedOutput(record, params.max_output_bytes);
  const { output: _stored, ...rest } = record;
  return { execution: toWireExecution(rest), output: toWireOutput(output) };
});
