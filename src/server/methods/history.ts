/**
 * `history.list` and `history.get` (DESIGN §4, issue 4): past and current executions from the
 * history store, newest first; `history.get` adds the output — from the spool files while they
 * exist, else the head and tail the store kept, and says which.
 */
import { ExecutionNotFoundError, InvalidRequestError } from "../../engine/errors.js";
import { ExecutionStatus } from "../../protocol/methods.js";
import * as z from "../../protocol/zod.js";
import { toWireExecution, toWireOutput } from "../../store/record-wire.js";
import { DEFAULT_OUTPUT_BYTES, readRecordedOutput } from "../../store/recorded-output.js";
import type { Store } from "../../store/store.js";
import { parseSince } from "../../store/time-spec.js";
import { defineMethod } from "../method-table.js";
import type { ServerContext } from "../server-context.js";

/** What the server context carries for these methods (`ServerContext.history`). */
export interface HistoryContext {
  store: Store;
  /** Writes pending history now, so a query sees executions that just started or ended. */
  flush(): Promise<unknown>;
}

const EXECUTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const HistoryListParams = z._default(
  z.object({
    limit: z._default(z.int().check(z.positive(), z.lte(1000)), 50),
    offset: z._default(z.int().check(z.gte(0)), 0),
    status: z.optional(z.union([ExecutionStatus, z.array(ExecutionStatus)])),
    /** ISO 8601 time or epoch seconds. */
    since: z.optional(z.union([z.string(), z.number()])),
    kind: z.optional(z.enum(["command", "claude"])),
  }),
  { limit: 50, offset: 0 },
);

export const HistoryGetParams = z.object({
  execution_id: z
    .string()
    .check(z.regex(EXECUTION_ID, "execution_id must be 1-128 characters of [A-Za-z0-9._:-]")),
  /** Output beyond this is cut to its first and last halves. */
  max_output_bytes: z._default(
    z.int().check(z.positive(), z.lte(16 * 1024 * 1024)),
    DEFAULT_OUTPUT_BYTES,
  ),
});

export const historyList = defineMethod(HistoryListParams, async (params, call) => {
  const history = historyOf(call.server);
  let sinceMs: number | undefined;
  if (params.since !== undefined) {
    const parsed = parseSince(params.since);
    if (parsed === null) {
      throw new InvalidRequestError("since: expected an ISO 8601 time or epoch seconds");
    }
    sinceMs = parsed;
  }
  await history.flush();
  const records = await history.store.listExecutions({
    limit: params.limit,
    offset: params.offset,
    statuses: params.status === undefined ? undefined : [params.status].flat(),
    kind: params.kind,
    sinceMs,
  });
  return { executions: records.map(toWireExecution), count: records.length };
});

export const historyGet = defineMethod(HistoryGetParams, async (params, call) => {
  const history = historyOf(call.server);
  const id = params.execution_id;
  // A live execution's last output may still be on its way to the spool files.
  await call.server.engine.get(id)?.spool?.flushed();
  await history.flush();
  const record = await history.store.getExecution(id);
  if (!record) throw new ExecutionNotFoundError(`no execution ${id} in history`);
  const output = await readRecordedOutput(record, params.max_output_bytes);
  const { output: _stored, ...rest } = record;
  return { execution: toWireExecution(rest), output: toWireOutput(output) };
});

function historyOf(server: ServerContext): HistoryContext {
  return { store: server.history.store, flush: () => server.recorder.flush() };
}
