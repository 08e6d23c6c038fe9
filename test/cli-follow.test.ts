/**
 * Follow and attach from any shell (issue 16, item 9), as a user runs them: the built CLI in
 * child processes against a real server process, with executions and task runs started
 * elsewhere (an SDK client, `tasks run --detach`). `logs` replays then follows and exits with
 * the execution's code; `ps` lists what runs; `cancel` ends it, or says it had ended; `tasks
 * watch` shows a detached run's progress to its end, and Ctrl-C there leaves the run alone.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CcExecutorClient, connect } from "../src/client/node.js";
import { CliProcess, cliEnv, cliHomes, groupPids, runCli } from "./helpers/cli-process.js";
import { eventually, uniqueMarker } from "./helpers/processes.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";
import { tempDir } from "./helpers/store-fixtures.js";

const newHome = cliHomes("cce-follow-");
const work = tempDir("cce-follow-work-");
let server: ServerProcess;
let client: CcExecutorClient;

beforeAll(async () => {
  server = await startServerProcess();
  client = await connect({ url: server.wsUrl, token: server.token });
});
afterAll(async () => {
  client?.close();
  await server?.cleanup();
  work.remove();
});

const cli = (args: string[]) => runCli(args, { env: cliEnv(server.home), cwd: work.path });
const cliProcess = (args: string[]) =>
  new CliProcess(args, { env: cliEnv(server.home), cwd: work.path });

/** A file whose creation lets a waiting command go on. */
function gate(name: string): { path: string; open(): void; wait: string } {
  const path = join(work.path, `${name}-${uniqueMarker("gate")}`);
  return {
    path,
    open: () => writeFileSync(path, ""),
    wait: `while [ ! -e '${path}' ]; do sleep 0.02; done`,
  };
}

/** Starts a command on the server from "another shell" and resolves once it has printed. */
async function startElsewhere(command: string, firstOutput: string) {
  const stream = client.stream(command, { cwd: work.path });
  for await (const event of stream) {
    if (event.type === "output" && event.data.includes(firstOutput)) break;
  }
  return stream;
}

describe("cc-executor logs", () => {
  it("-f replays what was printed, follows live lines, and exits with the command's code", async () => {
    const release = gate("logs-f");
    const stream = await startElsewhere(
      `echo first; echo err-line >&2; ${release.wait}; echo second; exit 3`,
      "first",
    );
    const logs = cliProcess(["logs", "-f", stream.id]);
    await logs.waitForStdout(/^first\n$/);
    expect(logs.running).toBe(true);
    release.open();
    const exit = await logs.exited;
    expect(exit).toMatchObject({ code: 3, stdout: "first\nsecond\n" });
    expect(exit.stderr).toContain("err-line\n");
    expect((await stream.result).exitCode).toBe(3);
  });

  it("without -f prints what there is and exits: 0 while it runs, its code once ended", async () => {
    const release = gate("logs-now");
    const stream = await startElsewhere(`echo so-far; ${release.wait}; echo later`, "so-far");
    const now = await cli(["logs", stream.id.slice(0, 13)]);
    expect(now).toMatchObject({ code: 0, stdout: "so-far\n" });
    expect(now.stderr).toContain(`cc-executor logs -f ${stream.id}`);
    release.open();
    await stream.result;
    const ended = await cli(["logs", stream.id]);
    expect(ended).toMatchObject({ code: 0, stdout: "so-far\nlater\n" });

    const failed = await client.execute("echo out; kill -9 $$", { cwd: work.path });
    expect(await cli(["logs", failed.executionId])).toMatchObject({ code: 137, stdout: "out\n" });
  });

  it("an unknown id: a plain message, exit 4", async () => {
    const exit = await cli(["logs", "no-such-execution"]);
    expect(exit.code).toBe(4);
    expect(exit.stderr).toBe("cc-executor: no execution no-such-execution\n");
  });

  it("with no server running, reads the execution from history", async () => {
    const home = newHome();
    const env = cliEnv(home);
    expect((await runCli(["run", "echo kept; exit 2"], { env })).code).toBe(2);
    const listed = await runCli(["history", "list", "--json"], { env });
    const [record] = JSON.parse(listed.stdout) as Array<{ execution_id: string }>;
    const exit = await runCli(["logs", "-f", String(record?.execution_id)], { env });
    expect(exit).toMatchObject({ code: 2, stdout: "kept\n" });
  });
});

describe("cc-executor ps and cancel", () => {
  it("ps lists a running command; cancel ends it; a second cancel says it had ended", async () => {
    const marker = uniqueMarker("ps");
    const stream = await startElsewhere(`echo $$; sleep 300 # ${marker}`, "\n");
    const { pgid } = (await stream.started) as { pgid: number };

    const table = await cli(["ps"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toBe("ID\tKIND\tSTATUS\tAGE\tPID\tWORKER\tCOMMAND");
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${stream.id}\\tcommand\\trunning\\t\\S+\\t${pgid}\\tlocal\\techo \\$\\$; sleep 300 # ${marker}$`,
        ),
      ),
    );
    const json = JSON.parse((await cli(["ps", "--json"])).stdout) as Array<Record<string, unknown>>;
    expect(json.find((e) => e.execution_id === stream.id)).toMatchObject({
      kind: "command",
      status: "running",
      submitted_at: expect.any(String),
    });

    const canceled = await cli(["cancel", stream.id.slice(0, 12)]);
    expect(canceled).toMatchObject({ code: 0, stdout: `canceled ${stream.id}\n` });
    expect((await stream.result).status).toBe("canceled");
    expect(await eventually(() => groupPids(pgid).length === 0, 15_000)).toBe(true);
    expect((await cli(["ps"])).stdout).not.toContain(stream.id);

    const again = await cli(["cancel", stream.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `cc-executor: execution ${stream.id} has already ended (canceled, SIGTERM); nothing to cancel\n`,
    );
    const completed = await client.execute("exit 4", { cwd: work.path });
    const ended = await cli(["cancel", completed.executionId]);
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain("has already ended (failed, exit code 4)");
    expect((await cli(["cancel", "no-such-execution"])).code).toBe(4);
  });

  it("ps with no server running: nothing runs (exit 0, [] with --json)", async () => {
    const env = cliEnv(newHome());
    const plain = await runCli(["ps"], { env });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain("no server is running");
    expect(await runCli(["ps", "--json"], { env })).toMatchObject({ code: 0, stdout: "[]\n" });
  });
});

describe("cc-executor tasks watch", () => {
  it("shows a detached run's progress, from its current task to the end", async () => {
    const release = gate("watch");
    const list = join(work.path, "watched.json");
    writeFileSync(
      list,
      JSON.stringify({
        name: "watched",
        tasks: [
          { name: "one", command: "echo one" },
          { name: "two", command: `echo two-begins; ${release.wait}; echo two-ends` },
          { name: "three", command: "echo three" },
        ],
      }),
    );
    const detached = await cli(["tasks", "run", "--detach", list]);
    expect(detached.code, detached.stderr).toBe(0);
    const runId = /^run (\S+) started/.exec(detached.stdout)?.[1] as string;
    expect(detached.stdout).toContain(`watch it:   cc-executor tasks watch ${runId}\n`);
    expect(
      await waitFor(async () => {
        const run = await client.request("tasks.get", { run_id: runId });
        return run.tasks[1]?.status === "running";
      }),
    ).toBe(true);

    // Ctrl-C stops watching, and only that.
    const first = cliProcess(["tasks", "watch", runId.slice(0, 20)]);
    await first.waitForStdout(/\[2\/3\] two: started/);
    first.kill("SIGINT");
    expect((await first.exited).code).toBe(130);
    expect((await client.request("tasks.get", { run_id: runId })).status).toBe("running");

    const watch = cliProcess(["tasks", "watch", runId]);
    await watch.waitForStdout(/\| two-begins\n/);
    release.open();
    const exit = await watch.exited;
    expect(exit.code, exit.stderr).toBe(0);
    const lines = exit.stdout.trim().split("\n");
    expect(lines[0]).toBe(`watching run ${runId} "watched": 3 tasks, at task 2`);
    expect(lines.slice(1, -1)).toEqual([
      "[2/3] two: started",
      "[2/3] | two-begins",
      "[2/3] | two-ends",
      expect.stringMatching(/^\[2\/3\] two: completed in \S+ — two-begins$/),
      "[3/3] three: started",
      "[3/3] | three",
      expect.stringMatching(/^\[3\/3\] three: completed in \S+ — three$/),
      `run ${runId} completed: 3 of 3 completed`,
    ]);
    expect(existsSync(release.path)).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
