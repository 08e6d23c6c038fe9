/**
 * `run_task {verify}` (DESIGN §7, issue 17): after a task that completed, its check — a shell
 * command in the task's cwd, with CC_EXECUTOR_TASK_RESULT_FILE naming a file that holds the
 * task's result (Claude's answer, or a command's output tail) — runs through the server as an
 * execution of its own. run_task makes one attempt: a failed check is an error result saying
 * so, and the caller decides whether to run the task again.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CcExecutorClient } from "../client/node.js";
import { OutputTail } from "./output-tail.js";

/** How much of the check's output a result carries. */
const CHECK_TAIL_BYTES = 4 * 1024;

export interface CheckOutcome {
  command: string;
  passed: boolean;
  status: string;
  exit_code: number | null;
  execution_id: string;
  output_tail: string;
}

export async function runCheck(
  client: CcExecutorClient,
  command: string,
  options: { cwd: string; result: string; signal: AbortSignal },
): Promise<CheckOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "cce-mcp-verify-"));
  const resultFile = join(dir, "result");
  writeFileSync(resultFile, options.result, { mode: 0o600 });
  try {
    const tail = new OutputTail(CHECK_TAIL_BYTES);
    const stream = client.stream(command, {
      cwd: options.cwd,
      env: { CC_EXECUTOR_TASK_RESULT_FILE: resultFile },
      signal: options.signal,
    });
    for await (const event of stream) if (event.type === "output") tail.push(event.data);
    const ended = await stream.result;
    return {
      command,
      passed: ended.success,
      status: ended.status,
      exit_code: ended.exitCode,
      execution_id: ended.executionId,
      output_tail: tail.toString(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
