/**
 * WebSocket handshake security (DESIGN §11, §9 "security tests per threat"): token (missing,
 * wrong, other length; Bearer header or browser subprotocol), foreign Origin, DNS-rebinding
 * Host values. Each refusal is asserted exactly — its HTTP status, that no 101 happened, that no
 * connection was accepted, its audit reason — and the server keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditedServer, startAuditedServer } from "./helpers/audited-server.js";
import { type ProbeOptions, probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";

let server: AuditedServer;
let token: string;

beforeAll(async () => {
  server = await startAuditedServer({
    allowedHosts: ["cc-executor.internal"],
    allowedOrigins: ["https://dash.example"],
  });
  token = server.token as string;
});
afterAll(async () => {
  await server.stop();
});

async function expectServes(): Promise<void> {
  const socket = await RpcSocket.open(server.wsUrl, { token });
  try {
    const { id, completed } = await socket.run("echo serving");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("serving\n");
  } finally {
    socket.close();
  }
}

const accepted = () => server.audit.filter((e) => e.event === "connected").length;

/** A handshake that must be refused before the 101, with this status and audit reason. */
async function expectRefused(options: ProbeOptions, status: number, reason: string): Promise<void> {
  const acceptedBefore = accepted();
  const refusedBefore = server.audit.filter((e) => e.event === "refused").length;
  const result = await probe(server.port, { upgrade: true, ...options });
  expect(result.upgraded).toBe(false);
  expect(result.status).toBe(status);
  expect(result.headers.upgrade).toBeUndefined();
  expect(result.headers["sec-websocket-accept"]).toBeUndefined();
  expect(result.body).toBe(`${reason}\n`);
  expect(result.body).not.toContain(token);
  expect(accepted()).toBe(acceptedBefore);
  const refusals = server.audit.filter((e) => e.event === "refused");
  expect(refusals).toHaveLength(refusedBefore + 1);
  expect(refusals.at(-1)).toMatchObject({
    event: "refused",
    reason,
    path: options.path ?? "/ws/mcp",
  });
  await expectServes();
}

async function expectUpgraded(options: ProbeOptions): Promise<Record<string, unknown>> {
  const result = await probe(server.port, { upgrade: true, ...options });
  expect(result.status).toBe(101);
  expect(result.upgraded).toBe(true);
  return result.headers;
}

describe("token", () => {
  it("missing token → 401", async () => {
    await expectRefused({}, 401, "missing token");
  });

  it("wrong token of the same length → 401", async () => {
    const wrong = token.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    await expectRefused({ token: wrong }, 401, "wrong token");
  });

  it("wrong token of another length, or empty → 401", async () => {
    await expectRefused({ token: "abc" }, 401, "wrong token");
    await expectRefused({ token: `${token}00` }, 401, "wrong token");
    await expectRefused({ headers: { authorization: "Bearer " } }, 401, "missing token");
  });

  it("a non-Bearer Authorization is not a token", async () => {
    await expectRefused({ headers: { authorization: token } }, 401, "missing token");
    await expectRefused(
      { headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString("base64")}` } },
      401,
      "missing token",
    );
  });

  it("is accepted as Authorization: Bearer (any case of the scheme)", async () => {
    await expectUpgraded({ token });
    await expectUpgraded({ headers: { authorization: `bearer ${token}` } });
    await expectServes();
  });

  it("is accepted as the subprotocol cc-executor.token.<t>; the 101 selects cc-executor and never echoes it", async () => {
    const headers = await expectUpgraded({
      protocols: ["cc-executor", `cc-executor.token.${token}`],
    });
    expect(headers["sec-websocket-protocol"]).toBe("cc-executor");
    expect(JSON.stringify(headers)).not.toContain(token);

    // A browser-style client (no headers at all) runs commands this way.
    const socket = await RpcSocket.open(server.wsUrl, {
      protocols: ["cc-executor", `cc-executor.token.${token}`],
    });
    try {
      expect(socket.ws.protocol).toBe("cc-executor");
      const { completed } = await socket.run("true");
      expect(completed.status).toBe("completed");
    } finally {
      socket.close();
    }
  });

  it("a wrong subprotocol token → 401, and a Basic header does not hide a right one", async () => {
    await expectRefused(
      { protocols: ["cc-executor", "cc-executor.token.0123"] },
      401,
      "wrong token",
    );
    const headers = await expectUpgraded({
      headers: { authorization: "Basic dTpw" },
      protocols: ["cc-executor", `cc-executor.token.${token}`],
    });
    expect(headers["sec-websocket-protocol"]).toBe("cc-executor");
  });

  it("a token subprotocol offered without cc-executor beside it → 400, never a 101 without a protocol", async () => {
    const reason = "subprotocol cc-executor must be offered beside the token";
    await expectRefused({ protocols: [`cc-executor.token.${token}`] }, 400, reason);
    await expectRefused({ protocols: ["chat", `cc-executor.token.${token}`] }, 400, reason);
    // Even when a Bearer header carries the token too: the offer itself breaks the contract.
    await expectRefused({ token, protocols: [`cc-executor.token.${token}`] }, 400, reason);
    await expectRefused(
      { path: "/ws/claude", protocols: [`cc-executor.token.${token}`] },
      400,
      reason,
    );
    // A wrong token is still told as such first.
    await expectRefused({ protocols: ["cc-executor.token.0123"] }, 401, "wrong token");
  });

  it("the /ws alias is guarded the same way; unknown paths are refused only after the guard", async () => {
    await expectRefused({ path: "/ws" }, 401, "missing token");
    await expectUpgraded({ path: "/ws", token });
    await expectRefused({ path: "/ws/other" }, 401, "missing token");
    await expectRefused({ path: "/ws/other", token }, 404, "unknown path");
  });

  it("the token never appears in the audit trail", () => {
    expect(JSON.stringify(server.audit)).not.toContain(token);
  });
});

describe("Origin", () => {
  it("a foreign Origin → 403, even with the right token", async () => {
    const port = server.port;
    const foreign = [
      "http://evil.example",
      "null",
      `http://127.0.0.1.nip.io:${port}`,
      `http://localhost:${port}.evil.example`,
      `http://127.0.0.1:${port + 1}`,
      `http://127.0.0.1`,
      "file://",
    ];
    for (const origin of foreign) {
      await expectRefused({ token, headers: { origin } }, 403, `origin not allowed: ${origin}`);
      await expectRefused({ headers: { origin } }, 403, `origin not allowed: ${origin}`);
    }
  });

  it("the server's own origins and configured ones pass", async () => {
    const port = server.port;
    for (const origin of [
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://[::1]:${port}`,
      `https://localhost:${port}`,
      "https://dash.example",
      `http://cc-executor.internal:${port}`,
    ]) {
      await expectUpgraded({ token, headers: { origin } });
    }
  });

  it("an allowed Origin still needs the token", async () => {
    await expectRefused(
      { headers: { origin: `http://127.0.0.1:${server.port}` } },
      401,
      "missing token",
    );
  });
});

describe("Host (DNS rebinding)", () => {
  it("rebinding and look-alike Host values → 403, even with the right token", async () => {
    const port = server.port;
    const hosts = [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `2130706433:${port}`,
      `localhost.:${port}`,
      `0x7f.0.0.1:${port}`,
      `127.1:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `127.0.0.1:${port + 1}`,
      "127.0.0.1",
      "localhost",
    ];
    for (const host of hosts) {
      await expectRefused({ token, host }, 403, `host not allowed: ${host}`);
    }
  });

  it("a missing Host → 403", async () => {
    await expectRefused({ token, host: null }, 403, "host not allowed: (none)");
  });

  it("loopback names with the server's port and configured names pass (case-insensitive)", async () => {
    const port = server.port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      `cc-executor.internal:${port}`,
    ]) {
      await expectUpgraded({ token, host });
    }
  });
});
