/**
 * ALLOWED_COMMANDS and `env` (issue 15 item 8, docs/security.md): the list judges the `env` the
 * client sent, not what the server's own hooks add (the built-in venv hook sets PATH in a cwd
 * with a .venv, and a plain `execute` there must still run); and the variables that make the
 * shell source a file, load code, or name a program to run (HOME, ZDOTDIR, GCONV_PATH,
 * GIT_SSH_COMMAND…) are refused with -32001 naming the variable. Through a real server.
 */
import { chmodSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

describe("ALLOWED_COMMANDS and env", () => {
  let server: TestServer;
  let client: RpcSocket;
  let venvCwd: string;

  beforeAll(async () => {
    server = await startTestServer({ allowedCommands: ["echo", "true"] });
    client = await RpcSocket.open(server.wsUrl, { token: server.token });
    await client.notification("connected");
    venvCwd = realpathSync(tempDir("cce-venv-"));
    mkdirSync(join(venvCwd, ".venv", "bin"), { recursive: true });
    const python = join(venvCwd, ".venv", "bin", "python");
    writeFileSync(python, "#!/bin/sh\necho fake-python\n");
    chmodSync(python, 0o755);
  });
  afterAll(async () => {
    client.close();
    await server.stop();
    rmSync(venvCwd, { recursive: true, force: true });
  });

  it("a plain execute in a cwd with a .venv runs (the venv hook's PATH is not the client's)", async () => {
    const { id, completed } = await client.run("echo venv $VIRTUAL_ENV", { cwd: venvCwd });
    expect(completed.status, JSON.stringify(completed)).toBe("completed");
    expect(client.output(id)).toBe(`venv ${join(venvCwd, ".venv")}\n`);
  });

  it("the client's own PATH is still refused, in a .venv cwd too", async () => {
    const reply = await client.call("execute", {
      command: "true",
      cwd: venvCwd,
      env: { PATH: "/tmp" },
    });
    expect(reply.error).toMatchObject({ code: ErrorCode.CommandNotAllowed });
    expect(reply.error?.message).toContain("env PATH may not be set");
  });

  it.each([
    "HOME",
    "ZDOTDIR",
    "BASH_ENV",
    "ENV",
    "GCONV_PATH",
    "GIT_SSH_COMMAND",
    "GIT_CONFIG_COUNT",
    "GIT_EXEC_PATH",
    "XDG_CONFIG_HOME",
    "EDITOR",
    "PAGER",
    "SSH_ASKPASS",
    "LD_AUDIT",
    "JAVA_TOOL_OPTIONS",
  ])("env %s: -32001 naming it", async (name) => {
    const reply = await client.call("execute", { command: "true", env: { [name]: "/tmp/x" } });
    expect(reply.error).toMatchObject({ code: ErrorCode.CommandNotAllowed });
    expect(reply.error?.message).toContain(`env ${name} may not be set`);
  });

  it("other variables pass, and reach the command", async () => {
    const { id, completed } = await client.run("echo $MY_SETTING $LANG", {
      env: { MY_SETTING: "kept", LANG: "C.UTF-8" },
    });
    expect(completed.status).toBe("completed");
    expect(client.output(id)).toBe("kept C.UTF-8\n");
  });
});
