/**
 * Hostile frames from an authenticated peer (DESIGN §11, §9): an oversize frame closes that
 * connection with 1009 and nothing else; malformed JSON, binary frames and prototype names as
 * methods get error replies on a connection that keeps working.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function open(): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  await socket.notification("connected");
  return socket;
}

async function expectWorks(socket: RpcSocket): Promise<void> {
  const { id, completed } = await socket.run("echo works");
  expect(completed.status).toBe("completed");
  expect(socket.output(id)).toBe("works\n");
}

describe("frames", () => {
  it("a 2 MiB frame closes that connection with 1009; a job running elsewhere is untouched", async () => {
    const dir = tempDir("cce-frames-");
    const gate = join(dir, "gate");
    const bystander = await open();
    const attacker = await open();
    try {
      // Runs until the test creates the gate file, after the attack.
      const running = await bystander.result<{ execution_id: string }>("execute", {
        command: `echo before; while [ ! -e '${gate}' ]; do sleep 0.05; done; echo after`,
      });
      const id = running.execution_id;
      await bystander.waitFor(
        (m) =>
          m.method === "process.output" &&
          m.params?.execution_id === id &&
          String(m.params?.data).includes("before"),
      );
      const huge = JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "execute",
        params: { command: `echo ${"x".repeat(2 * 1024 * 1024)}` },
      });
      attacker.sendRaw(huge);
      expect(await attacker.whenClosed()).toBe(1009);
      expect(attacker.all("process.started")).toHaveLength(0);
      // The job was running through the attack and still is.
      expect(bystander.all("process.completed", id)).toHaveLength(0);
      const listed = await bystander.result<{
        executions: Array<{ execution_id: string; status: string }>;
      }>("executions.list");
      expect(listed.executions).toContainEqual(
        expect.objectContaining({ execution_id: id, status: "running" }),
      );

      writeFileSync(gate, "");
      const completed = await bystander.notification("process.completed", id);
      expect(completed.params).toMatchObject({ status: "completed", exit_code: 0 });
      expect(bystander.output(id)).toBe("before\nafter\n");
      expect(bystander.closeCode).toBeNull();
      await expectWorks(bystander);
      const fresh = await open();
      await expectWorks(fresh);
      fresh.close();
    } finally {
      bystander.close();
      attacker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a frame just under maxPayload is accepted", async () => {
    const socket = await open();
    try {
      // One JSON-RPC frame of almost 1 MiB: a short command, a large env value list.
      const value = "y".repeat(100_000);
      const env = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`BIG_${i}`, value]));
      const { id, completed } = await socket.run('printf %s "$BIG_0$BIG_9" | wc -c', { env });
      expect(completed.status).toBe("completed");
      expect(socket.output(id).trim()).toBe("200000");
    } finally {
      socket.close();
    }
  });

  it("malformed JSON → -32700 and the connection still works", async () => {
    const socket = await open();
    try {
      for (const text of [
        "{",
        '{"jsonrpc":"2.0","id":1,"method":"execute",}',
        "\u{1F600}",
        "nul\u0000l",
      ]) {
        const before = socket.messages.length;
        socket.sendRaw(text);
        const reply = await socket.waitFor(
          (m) => socket.messages.indexOf(m) >= before && "error" in m,
        );
        expect(reply).toEqual({
          jsonrpc: "2.0",
          id: null,
          error: { code: ErrorCode.ParseError, message: "Parse error: invalid JSON" },
        });
      }
      await expectWorks(socket);
    } finally {
      socket.close();
    }
  });

  it("__proto__ (and other prototype names) as method → -32601, nothing polluted", async () => {
    const socket = await open();
    try {
      for (const method of ["__proto__", "constructor", "prototype", "__lookupGetter__"]) {
        const reply = await socket.call(method, { polluted: true });
        expect(reply.error).toEqual({
          code: ErrorCode.MethodNotFound,
          message: `Method not found: ${method}`,
        });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await expectWorks(socket);
    } finally {
      socket.close();
    }
  });

  it("a binary frame → -32600 and the connection still works", async () => {
    const socket = await open();
    try {
      const before = socket.messages.length;
      socket.sendRaw(Buffer.from([0xff, 0x00, 0x7b]));
      const reply = await socket.waitFor(
        (m) => socket.messages.indexOf(m) >= before && "error" in m,
      );
      expect(reply.error?.code).toBe(ErrorCode.InvalidRequest);
      await expectWorks(socket);
    } finally {
      socket.close();
    }
  });

  it("invalid UTF-8 in a text frame closes that connection with 1007; the server keeps serving", async () => {
    const socket = await open();
    const invalid = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
    // ws sends a Buffer as binary; send the bytes as a text frame explicitly.
    socket.ws.send(invalid, { binary: false });
    expect(await socket.whenClosed()).toBe(1007);
    const fresh = await open();
    await expectWorks(fresh);
    fresh.close();
  });
});
