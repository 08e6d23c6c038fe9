/**
 * Plain HTTP routes (DESIGN §11): /healthz is the only route without a token and says nothing
 * but "ok"; /health needs the token; unknown paths 404 and other methods 405 — and the Host and
 * Origin checks apply to every HTTP request as they do to handshakes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/protocol/version.js";
import { type AuditedServer, startAuditedServer } from "./helpers/audited-server.js";
import { probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";

let server: AuditedServer;
let token: string;

beforeAll(async () => {
  server = await startAuditedServer();
  token = server.token as string;
});
afterAll(async () => {
  await server.stop();
});

async function expectServes(): Promise<void> {
  const socket = await RpcSocket.open(server.wsUrl, { token });
  try {
    const { completed } = await socket.run("true");
    expect(completed.status).toBe("completed");
  } finally {
    socket.close();
  }
}

describe("/healthz", () => {
  it('answers 200 {"status":"ok"} without a token, and nothing more', async () => {
    const result = await probe(server.port, { path: "/healthz" });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: "ok" });
    expect(result.headers["content-type"]).toBe("application/json");
    expect(result.headers["cache-control"]).toBe("no-store");
    const withQuery = await probe(server.port, { path: "/healthz?probe=1" });
    expect(withQuery.status).toBe(200);
  });

  it("HEAD is allowed; POST, PUT and DELETE are 405", async () => {
    expect((await probe(server.port, { path: "/healthz", method: "HEAD" })).status).toBe(200);
    for (const method of ["POST", "PUT", "DELETE"]) {
      const result = await probe(server.port, { path: "/healthz", method });
      expect(result.status).toBe(405);
      expect(JSON.parse(result.body)).toEqual({ error: "method not allowed" });
    }
  });
});

describe("/health", () => {
  it("401 without a token or with a wrong one", async () => {
    const missing = await probe(server.port, { path: "/health" });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({ error: "missing token" });
    const wrong = await probe(server.port, { path: "/health", token: "f".repeat(64) });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual({ error: "wrong token" });
    expect(server.audit.filter((e) => e.event === "refused").slice(-2)).toEqual([
      { event: "refused", reason: "missing token", peer: "127.0.0.1", path: "/health" },
      { event: "refused", reason: "wrong token", peer: "127.0.0.1", path: "/health" },
    ]);
  });

  it("200 with the full status with the token", async () => {
    const result = await probe(server.port, { path: "/health", token });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      status: "ok",
      version: VERSION,
      pid: process.pid,
      auth: "token",
      executions: expect.any(Object),
      limits: expect.any(Object),
    });
    expect(result.body).not.toContain(token);
  });

  it("POST with the token is 405", async () => {
    const result = await probe(server.port, { path: "/health", method: "POST", token });
    expect(result.status).toBe(405);
  });
});

describe("other paths", () => {
  it("404 for an unknown path with the token, 401 without it", async () => {
    const known = await probe(server.port, { path: "/nope", token });
    expect(known.status).toBe(404);
    expect(JSON.parse(known.body)).toEqual({ error: "not found" });
    expect((await probe(server.port, { path: "/nope" })).status).toBe(401);
    // The WebSocket path without an upgrade is not a page either.
    expect((await probe(server.port, { path: "/ws/mcp", token })).status).toBe(404);
  });
});

describe("Host and Origin apply to HTTP too", () => {
  it("a rebinding Host or a missing Host → 403, even on /healthz", async () => {
    const port = server.port;
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.:${port}`]) {
      for (const path of ["/healthz", "/health"]) {
        const result = await probe(server.port, { path, host, token });
        expect(result.status).toBe(403);
        expect(JSON.parse(result.body)).toEqual({ error: `host not allowed: ${host}` });
      }
    }
    const missing = await probe(server.port, { path: "/healthz", host: null });
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body)).toEqual({ error: "host not allowed: (none)" });
    await expectServes();
  });

  it("a foreign Origin → 403, even on /healthz and with the token", async () => {
    for (const origin of ["http://evil.example", "null"]) {
      for (const path of ["/healthz", "/health"]) {
        const result = await probe(server.port, { path, token, headers: { origin } });
        expect(result.status).toBe(403);
        expect(JSON.parse(result.body)).toEqual({ error: `origin not allowed: ${origin}` });
      }
    }
    const own = await probe(server.port, {
      path: "/health",
      token,
      headers: { origin: `http://localhost:${server.port}` },
    });
    expect(own.status).toBe(200);
    await expectServes();
  });
});
