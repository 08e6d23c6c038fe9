/**
 * Every error code the server sends over a real socket (DESIGN §4): -32700, -32600, -32601,
 * -32602, -32001, -32002 (-32003 is in concurrency.test.ts, -32603 in rpc-dispatch.test.ts),
 * JSON-RPC batches, and after every bad input the same connection still runs a command.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

let server: TestServer;
let socket: RpcSocket;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function open(target: TestServer = server): Promise<RpcSocket> {
  const opened = await RpcSocket.open(target.wsUrl, { token: target.token });
  await opened.notification("connected");
  return opened;
}

/** Sends one raw frame and resolves with the first reply (not a notification) after it. */
async function replyTo(text: string | Buffer, on: RpcSocket = socket): Promise<Message> {
  const before = on.messages.length;
  on.sendRaw(text);
  return on.waitFor((m) => on.messages.indexOf(m) >= before && !("method" in m));
}

async function expectStillWorks(on: RpcSocket = socket): Promise<void> {
  const { id, completed } = await on.run("echo still-ok");
  expect(completed.status).toBe("completed");
  expect(on.output(id)).toBe("still-ok\n");
}

function expectError(reply: Message, code: number, id: unknown): void {
  expect(reply).toMatchObject({ jsonrpc: "2.0", id, error: { code, message: expect.any(String) } });
  expect(reply).not.toHaveProperty("result");
}

describe("protocol errors", () => {
  beforeAll(async () => {
    socket = await open();
  });
  afterEach(async () => {
    await expectStillWorks();
  });
  afterAll(() => socket.close());

  it("-32700 for malformed JSON, with id null", async () => {
    for (const text of ['{"jsonrpc":"2.0","id":1,', "{nope}", "[1,", "", "\u0000"]) {
      const reply = await replyTo(text);
      expectError(reply, ErrorCode.ParseError, null);
    }
  });

  it("-32600 for a value that is not a request object", async () => {
    for (const text of ["42", '"execute"', "null", "true"]) {
      expectError(await replyTo(text), ErrorCode.InvalidRequest, null);
    }
  });

  it('-32600 for a wrong or missing "jsonrpc", echoing a usable id', async () => {
    const wrong = await replyTo(
      JSON.stringify({ jsonrpc: "1.0", id: 9_000_007, method: "server.status" }),
    );
    expectError(wrong, ErrorCode.InvalidRequest, 9_000_007);
    expect(wrong.error?.message).toContain("jsonrpc");
    const missing = await replyTo(JSON.stringify({ id: "raw-m", method: "server.status" }));
    expectError(missing, ErrorCode.InvalidRequest, "raw-m");
  });

  it('-32600 for a missing, empty or non-string "method"', async () => {
    for (const method of [undefined, "", 5, null, ["execute"]]) {
      const reply = await replyTo(JSON.stringify({ jsonrpc: "2.0", id: "raw-3", method }));
      expectError(reply, ErrorCode.InvalidRequest, "raw-3");
      expect(reply.error?.message).toContain("method");
    }
  });

  it("-32600 for an id that is not a string, number or null", async () => {
    for (const id of [{}, [1], true, false]) {
      const reply = await replyTo(JSON.stringify({ jsonrpc: "2.0", id, method: "server.status" }));
      expectError(reply, ErrorCode.InvalidRequest, null);
      expect(reply.error?.message).toContain("id");
    }
  });

  it("string, fractional and null ids are echoed as sent", async () => {
    for (const id of ["abc", 1.5, -4, 9_000_001, null]) {
      const reply = await replyTo(JSON.stringify({ jsonrpc: "2.0", id, method: "hook_status" }));
      expect(reply).toEqual({
        jsonrpc: "2.0",
        id,
        result: expect.objectContaining({ hooks: expect.any(Array) }),
      });
    }
  });

  it("-32600 for an empty batch: one error, not an array", async () => {
    const before = socket.messages.length;
    socket.sendRaw("[]");
    await socket.result("server.status");
    const replies = socket.messages.slice(before).filter((m) => m.method !== "heartbeat");
    expect(replies).toHaveLength(2);
    expectError(replies[0] as Message, ErrorCode.InvalidRequest, null);
  });

  it("-32600 for a binary frame", async () => {
    const reply = await replyTo(
      Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server.status" })),
    );
    expectError(reply, ErrorCode.InvalidRequest, null);
    expect(reply.error?.message).toContain("binary");
  });

  it("-32601 for unknown methods, including prototype names", async () => {
    const names = [
      "nope",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "__defineGetter__",
      "EXECUTE",
      "execute ",
      "process.started",
    ];
    for (const name of names) {
      const reply = await socket.call(name, {});
      expectError(reply, ErrorCode.MethodNotFound, reply.id);
      expect(reply.error?.message).toBe(`Method not found: ${name}`);
    }
  });

  it("an unknown method sent as a notification gets no reply", async () => {
    const before = socket.messages.length;
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "__proto__" }));
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "execute", params: { command: 1 } }));
    const status = await socket.call("server.status");
    expect(socket.messages.slice(before).filter((m) => m.method !== "heartbeat")).toEqual([status]);
  });

  it("-32602 names the bad field", async () => {
    const cases: Array<[string, unknown, string]> = [
      ["execute", undefined, "command"],
      ["execute", {}, "command"],
      ["execute", { command: 5 }, "command"],
      ["execute", [], "params"],
      ["execute", "echo hi", "params"],
      ["execute", { command: "true", timeout: -1 }, "timeout"],
      ["execute", { command: "true", timeout: "10" }, "timeout"],
      ["execute", { command: "true", idle_timeout: 0 }, "idle_timeout"],
      ["execute", { command: "true", cwd: "" }, "cwd"],
      ["execute", { command: "true", cwd: "/no/such/dir" }, "cwd"],
      ["execute", { command: "true", env: { "1BAD": "x" } }, "env"],
      ["execute", { command: "true", env: { A: 5 } }, "env.A"],
      ["execute", { command: "true", env: ["A=1"] }, "env"],
      ["execute", { command: "true", output_encoding: "hex" }, "output_encoding"],
      ["execute", { command: "true", execution_id: "has space" }, "execution_id"],
      ["execute", { command: "true", execution_id: "x".repeat(129) }, "execution_id"],
      ["execute", { command: "true", kill_on_disconnect: "yes" }, "kill_on_disconnect"],
      ["control", {}, "type"],
      ["control", { type: "STOP" }, "type"],
      ["control", { type: 1 }, "type"],
      ["control", { type: "CANCEL", execution_id: "" }, "execution_id"],
      ["subscribe", {}, "execution_id"],
      ["subscribe", { execution_id: "x", after_seq: -1 }, "after_seq"],
      ["subscribe", { execution_id: "x", after_seq: 1.5 }, "after_seq"],
      ["unsubscribe", {}, "execution_id"],
      ["executions.list", { limit: 0 }, "limit"],
      ["executions.list", { status: "bogus" }, "status"],
      ["server.status", [1], "params"],
      ["hook_status", "x", "params"],
    ];
    for (const [method, params, field] of cases) {
      const reply = await socket.call(method, params);
      expectError(reply, ErrorCode.InvalidParams, reply.id);
      expect(reply.error?.message, `${method} ${JSON.stringify(params)}`).toContain(field);
    }
  });

  it("-32602 for what the kernel would refuse to spawn (NUL, E2BIG); nothing is left behind", async () => {
    const big = "x".repeat(200_000);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ command: "echo a\u0000b" }, "command"],
      [{ command: `echo ${big}` }, "command"],
      [{ command: "true", env: { A: "a\u0000b" } }, "env"],
      [{ command: "true", env: { A: big } }, "env"],
      [{ command: "true", env: { [`A${"B".repeat(130_000)}`]: "" } }, "env"],
      [{ command: "true", cwd: "/tmp\u0000x" }, "cwd"],
    ];
    for (const [params, field] of cases) {
      const reply = await socket.call("execute", params);
      expectError(reply, ErrorCode.InvalidParams, reply.id);
      expect(reply.error?.message).toContain(field);
    }
    const status = await socket.result<{ executions: { running: number } }>("server.status");
    expect(status.executions.running).toBe(0);
    // A long command that the kernel accepts still runs.
    const { id, completed } = await socket.run(`printf %s ${"y".repeat(100_000)} | wc -c`);
    expect(completed.status).toBe("completed");
    expect(socket.output(id).trim()).toBe("100000");
  });

  it("-32602 for execution_id . or .. (they would name the spool's parent directories)", async () => {
    for (const execution_id of [".", "..", ".hidden", "-x", ":x"]) {
      const reply = await socket.call("execute", { command: "true", execution_id });
      expectError(reply, ErrorCode.InvalidParams, reply.id);
      expect(reply.error?.message).toContain("execution_id");
    }
  });

  it("a __proto__ key in env is dropped by validation: nothing is polluted", async () => {
    const reply = await replyTo(
      '{"jsonrpc":"2.0","id":"p","method":"execute","params":{"command":"env","env":{"__proto__":{"polluted":"yes"},"OWN":"1"}}}',
    );
    const id = (reply.result as { execution_id: string }).execution_id;
    await socket.notification("process.completed", id);
    expect(socket.output(id)).toContain("OWN=1\n");
    expect(socket.output(id)).not.toContain("polluted");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("-32602 for a duplicate execution_id", async () => {
    await socket.run("true", { execution_id: "dup-1" });
    const reply = await socket.call("execute", { command: "true", execution_id: "dup-1" });
    expectError(reply, ErrorCode.InvalidParams, reply.id);
    expect(reply.error?.message).toContain("dup-1");
  });

  it("-32602 for control of an ended execution, or of an ambiguous default", async () => {
    const { id } = await socket.run("true");
    const ended = await socket.call("control", { type: "PAUSE", execution_id: id });
    expectError(ended, ErrorCode.InvalidParams, ended.id);
    expect(ended.error?.data).toEqual({ execution_id: id, status: "completed" });
    const a = await socket.result<{ execution_id: string }>("execute", { command: "sleep 30" });
    const b = await socket.result<{ execution_id: string }>("execute", { command: "sleep 30" });
    const ambiguous = await socket.call("control", { type: "CANCEL" });
    expectError(ambiguous, ErrorCode.InvalidParams, ambiguous.id);
    expect(ambiguous.error?.message).toContain("execution_id");
    for (const { execution_id } of [a, b]) {
      await socket.result("control", { type: "CANCEL", execution_id });
      await socket.notification("process.completed", execution_id);
    }
  });

  it("-32001 for an empty or whitespace command", async () => {
    for (const command of ["", "   ", "\n\t "]) {
      const reply = await socket.call("execute", { command });
      expectError(reply, ErrorCode.CommandNotAllowed, reply.id);
      expect(reply.error?.message).toBe("command is empty");
    }
  });

  it("-32002 for an unknown execution_id (control, subscribe) or no default to control", async () => {
    const fresh = await open();
    try {
      const none = await fresh.call("control", { type: "CANCEL" });
      expectError(none, ErrorCode.ExecutionNotFound, none.id);
      for (const method of ["control", "subscribe"]) {
        const reply = await socket.call(method, { type: "PAUSE", execution_id: "no-such-run" });
        expectError(reply, ErrorCode.ExecutionNotFound, reply.id);
        expect(reply.error?.message).toContain("no-such-run");
      }
    } finally {
      fresh.close();
    }
  });
});

describe("batches", () => {
  beforeAll(async () => {
    socket = await open();
  });
  afterEach(async () => {
    await expectStillWorks();
  });
  afterAll(() => socket.close());

  it("answers an array with an array of replies in order; notifications get none", async () => {
    const batch = [
      { jsonrpc: "2.0", id: "b-1", method: "hook_status" },
      { jsonrpc: "2.0", method: "pong" },
      { jsonrpc: "2.0", id: "b-two", method: "nope" },
      42,
      { jsonrpc: "2.0", id: 9_000_003, method: "execute", params: {} },
      { jsonrpc: "2.0", method: "hook_status" },
    ];
    const before = socket.messages.length;
    let raw: unknown = null;
    socket.ws.once("message", (data) => {
      raw = JSON.parse(data.toString());
    });
    socket.sendRaw(JSON.stringify(batch));
    await socket.waitFor((m) => socket.messages.indexOf(m) >= before && m.id === 9_000_003);
    expect(Array.isArray(raw)).toBe(true);
    const replies = raw as Message[];
    expect(replies).toHaveLength(4);
    expect(replies[0]).toEqual({
      jsonrpc: "2.0",
      id: "b-1",
      result: expect.objectContaining({ hooks: expect.any(Array) }),
    });
    expectError(replies[1] as Message, ErrorCode.MethodNotFound, "b-two");
    expectError(replies[2] as Message, ErrorCode.InvalidRequest, null);
    expectError(replies[3] as Message, ErrorCode.InvalidParams, 9_000_003);
  });

  it("a batch of notifications only gets no reply at all", async () => {
    const before = socket.messages.length;
    socket.sendRaw(
      JSON.stringify([
        { jsonrpc: "2.0", method: "pong" },
        { jsonrpc: "2.0", method: "hook_status" },
      ]),
    );
    const status = await socket.call("server.status");
    expect(socket.messages.slice(before).filter((m) => m.method !== "heartbeat")).toEqual([status]);
  });

  it("an execute inside a batch: the batch reply comes before process.started", async () => {
    const before = socket.messages.length;
    socket.sendRaw(
      JSON.stringify([
        { jsonrpc: "2.0", id: "b1", method: "execute", params: { command: "echo one" } },
        { jsonrpc: "2.0", id: "b2", method: "execute", params: { command: "echo two" } },
      ]),
    );
    const first = await socket.waitFor(
      (m) => socket.messages.indexOf(m) >= before && m.id === "b1",
    );
    const second = await socket.waitFor((m) => m.id === "b2");
    const ids = [first, second].map((m) => (m.result as { execution_id: string }).execution_id);
    for (const id of ids) {
      const started = await socket.notification("process.started", id);
      expect(socket.messages.indexOf(started)).toBeGreaterThan(socket.messages.indexOf(second));
      await socket.notification("process.completed", id);
    }
    expect(ids.map((id) => socket.output(id))).toEqual(["one\n", "two\n"]);
  });

  it("nested arrays are invalid requests", async () => {
    const before = socket.messages.length;
    let raw: unknown = null;
    socket.ws.once("message", (data) => {
      raw = JSON.parse(data.toString());
    });
    socket.sendRaw("[[], [1]]");
    await socket.waitFor((m) => socket.messages.indexOf(m) >= before + 1);
    expect(raw).toEqual([
      { jsonrpc: "2.0", id: null, error: expect.objectContaining({ code: -32600 }) },
      { jsonrpc: "2.0", id: null, error: expect.objectContaining({ code: -32600 }) },
    ]);
  });
});

describe("ALLOWED_COMMANDS (allowedCommands setting)", () => {
  let restricted: TestServer;
  let client: RpcSocket;

  beforeAll(async () => {
    restricted = await startTestServer({ allowedCommands: ["echo", "true", "/bin/ls"] });
    client = await open(restricted);
  });
  afterAll(async () => {
    client.close();
    await restricted.stop();
  });

  it("runs listed first words", async () => {
    const { id, completed } = await client.run("echo allowed $HOME 'a b'", {
      env: { SOME_VAR: "fine" },
    });
    expect(completed.status).toBe("completed");
    expect(client.output(id)).toBe(`allowed ${process.env.HOME} a b\n`);
    expect((await client.run("/bin/ls /")).completed.status).toBe("completed");
  });

  it("-32001 for any other command, a path not listed, or shell syntax that escapes the list", async () => {
    const refused = [
      "ls",
      "/bin/echo hi",
      "./echo hi",
      "rm -rf /tmp/x",
      "FOO=1 echo hi",
      "echo hi; id",
      "echo hi && id",
      "echo hi || id",
      "echo hi | sh",
      "echo $(id)",
      "echo `id`",
      "echo hi > /tmp/cce-should-not-exist",
      "echo hi\nid",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax under test
      "echo ${x@P}",
      "echo $[x]",
      "echo hi &",
      "true (",
    ];
    for (const command of refused) {
      const reply = await client.call("execute", { command });
      expectError(reply, ErrorCode.CommandNotAllowed, reply.id);
      expect(reply.error?.message, command).toContain("ALLOWED_COMMANDS");
    }
    await expectStillWorks(client);
  });

  it("-32001 for env that changes what the shell runs or loads", async () => {
    for (const name of ["BASH_ENV", "ENV", "PATH", "ZDOTDIR", "LD_PRELOAD", "SHELLOPTS"]) {
      const reply = await client.call("execute", { command: "true", env: { [name]: "/tmp/x" } });
      expectError(reply, ErrorCode.CommandNotAllowed, reply.id);
      expect(reply.error?.message).toContain(name);
    }
    await expectStillWorks(client);
  });
});
