/**
 * A started server holds no Claude or task-list runtime until something uses it
 * (src/engine/lazy-runtimes.ts): the shipped server is run with module hooks that record every
 * bundle chunk it loads, and the chunks' source maps say which source files those hold.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";
import { tempDir } from "./helpers/test-server.js";

let server: ServerProcess | null = null;
let socket: RpcSocket | null = null;
afterEach(async () => {
  socket?.close();
  await server?.cleanup();
  server = socket = null;
});

/** A `--import` module whose load hook appends each loaded URL to `logPath`. */
function loadRecorder(logPath: string): string {
  const dir = tempDir("cce-lazy-");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
     export async function load(url, context, next) {
       appendFileSync(${JSON.stringify(logPath)}, url + "\\n");
       return next(url, context);
     }`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(
    register,
    `import { register } from "node:module";
     register(${JSON.stringify(pathToFileURL(hooks).href)});`,
  );
  return register;
}

/** The source files (src/…) in the bundle chunks the server has loaded so far. */
function loadedSources(logPath: string): Set<string> {
  const sources = new Set<string>();
  for (const url of readFileSync(logPath, "utf8").split("\n")) {
    if (!url.includes("/dist/command/")) continue;
    const map = JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, "utf8")) as {
      sources: string[];
    };
    for (const source of map.sources) sources.add(source.slice(source.indexOf("src/")));
  }
  return sources;
}

const CLAUDE_RUN = "src/claude/claude-run.ts";
const TASK_RUNNER = "src/tasks/task-runner.ts";
const TASK_LIST_SCHEMA = "src/tasks/task-list-schema.ts";

describe("modules loaded on first use", () => {
  it("the Claude and task-list runtimes load only when a run needs them", async () => {
    const logPath = join(tempDir("cce-lazy-log-"), "loaded.txt");
    server = await startServerProcess({ NODE_OPTIONS: `--import ${loadRecorder(logPath)}` });
    const atStart = loadedSources(logPath);
    // The recorder sees the bundle: the server's own code is there.
    expect(atStart).toContain("src/server/server.ts");
    expect(atStart).not.toContain(CLAUDE_RUN);
    expect(atStart).not.toContain(TASK_RUNNER);
    expect(atStart).not.toContain(TASK_LIST_SCHEMA);

    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    await socket.run("echo not-claude", {});
    expect(loadedSources(logPath)).not.toContain(CLAUDE_RUN);
    // A command line that runs `claude` gets the Claude completion rules: the runtime loads.
    await socket.run("env CLAUDE_X=1 claude --version; true", {});
    expect(loadedSources(logPath)).toContain(CLAUDE_RUN);

    const run = await socket.result<{ run_id: string }>("tasks.run", {
      list: { tasks: [{ name: "one", command: "true" }] },
    });
    expect(run.run_id).toBeTruthy();
    expect(loadedSources(logPath)).toContain(TASK_RUNNER);
    expect(loadedSources(logPath)).toContain(TASK_LIST_SCHEMA);
  });
});
