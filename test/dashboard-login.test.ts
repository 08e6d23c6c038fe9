/**
 * The dashboard's HTTP side and login (DESIGN §14, §11; docs/dashboard.md), without a browser:
 * static files without the token but behind Host/Origin, the CSP, one-time codes traded once for
 * an HttpOnly SameSite=Strict cookie, and that cookie standing in for the token only on requests
 * with our own Origin. Also `server start` and `cc-executor dashboard` printing the login link.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CODE_LIFETIME_MS, DashboardAuth } from "../src/server/dashboard/dashboard-auth.js";
import { DASHBOARD_CSP } from "../src/server/dashboard/dashboard-routes.js";
import { findWebDir } from "../src/server/dashboard/static-files.js";
import { type AuditedServer, startAuditedServer } from "./helpers/audited-server.js";
import { CliProcess, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { tempDir } from "./helpers/test-server.js";

let server: AuditedServer;
let socket: RpcSocket;
let origin: string;

beforeAll(async () => {
  if (!findWebDir()) throw new Error("dist/web is missing: run `npm run build` first");
  server = await startAuditedServer();
  origin = `http://127.0.0.1:${server.port}`;
  socket = await RpcSocket.open(server.wsUrl, { token: server.token });
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

async function newCode(): Promise<{ code: string; url: string; expires_at: string }> {
  const reply = await socket.call("dashboard.code", {});
  if (reply.error) throw new Error(reply.error.message);
  return reply.result as { code: string; url: string; expires_at: string };
}

/** The cookie pair (`name=value`) a successful login set. */
async function login(): Promise<string> {
  const { code } = await newCode();
  const answer = await probe(server.port, { path: `/?code=${code}` });
  expect(answer.status).toBe(303);
  const setCookie = String(answer.headers["set-cookie"]);
  return setCookie.split(";")[0] as string;
}

describe("the dashboard's page", () => {
  it("is served at / without the token, with the CSP and no inline script", async () => {
    const page = await probe(server.port, { path: "/" });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toMatch(/^default-src 'self'/);
    expect(DASHBOARD_CSP).not.toMatch(/script-src|unsafe-eval/);
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe("");
    }
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1] as string;
    const js = await probe(server.port, { path: asset });
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toContain("immutable");
    // Nothing from elsewhere: no CDN, works offline.
    expect(js.body).not.toMatch(/https:\/\/(cdn|unpkg|fonts\.)/);
  });

  it("still checks Host and Origin, and needs the token for everything else", async () => {
    expect((await probe(server.port, { path: "/", host: "evil.example:80" })).status).toBe(403);
    const foreign = await probe(server.port, {
      path: "/",
      headers: { origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect((await probe(server.port, { path: "/health" })).status).toBe(401);
    expect((await probe(server.port, { path: "/assets/../../token" })).status).toBe(401);
    expect((await probe(server.port, { path: "/", method: "POST" })).status).toBe(401);
  });
});

describe("login with a one-time code", () => {
  it("trades a code once for an HttpOnly SameSite=Strict cookie and drops the code", async () => {
    const { code, url, expires_at } = await newCode();
    // A HEAD (a link checker) does not use the code up.
    const head = await probe(server.port, { path: `/?code=${code}`, method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["set-cookie"]).toBeUndefined();
    expect(url).toBe(`http://127.0.0.1:${server.port}/?code=${code}`);
    const lifetimeMs = Date.parse(expires_at) - Date.now();
    expect(lifetimeMs).toBeGreaterThan(4 * 60_000);
    expect(lifetimeMs).toBeLessThanOrEqual(5 * 60_000);
    const first = await probe(server.port, { path: `/?code=${code}` });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/");
    const cookie = String(first.headers["set-cookie"]);
    expect(cookie).toMatch(new RegExp(`^cc_executor_session_${server.port}=[\\w-]{20,};`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    const again = await probe(server.port, { path: `/?code=${code}` });
    expect(again.status).toBe(403);
    expect(again.headers["set-cookie"]).toBeUndefined();
    expect(again.body).toContain("cc-executor dashboard");
    const wrong = await probe(server.port, { path: "/?code=not-a-code" });
    expect(wrong.status).toBe(403);
    expect(wrong.headers["set-cookie"]).toBeUndefined();
    // The login and both refusals are audited; the code itself is not.
    const dashboardEvents = server.audit.filter(
      (e) => e.event === "dashboard_login" || (e.event === "refused" && e.reason.includes("code")),
    );
    expect(dashboardEvents.map((e) => e.event)).toEqual(["dashboard_login", "refused", "refused"]);
    expect(JSON.stringify(server.audit)).not.toContain(code);
  });

  it("the cookie opens the socket from our own origin only", async () => {
    const cookie = await login();
    const ours = await probe(server.port, {
      upgrade: true,
      protocols: ["cc-executor"],
      headers: { cookie, origin },
    });
    expect(ours.upgraded).toBe(true);
    const other = await probe(server.port, {
      upgrade: true,
      headers: { cookie, origin: `http://127.0.0.1:${server.port + 1}` },
    });
    expect(other.status).toBe(403);
    // A non-browser client says no Origin: it needs the token.
    const noOrigin = await probe(server.port, { upgrade: true, headers: { cookie } });
    expect(noOrigin.status).toBe(401);
    const forged = await probe(server.port, {
      upgrade: true,
      headers: { cookie: `cc_executor_session_${server.port}=forged`, origin },
    });
    expect(forged.status).toBe(401);
    const otherServer = await probe(server.port, {
      upgrade: true,
      headers: { cookie: cookie.replace(`_${server.port}=`, "_1="), origin },
    });
    expect(otherServer.status).toBe(401);
    expect(
      (await probe(server.port, { path: "/health", headers: { cookie, origin } })).status,
    ).toBe(200);
  });

  it("a session's socket may not make login links; the audit says how each socket got in", async () => {
    const cookie = await login();
    const viaCookie = await RpcSocket.open(server.wsUrl, {
      headers: { cookie, origin },
      protocols: ["cc-executor"],
    });
    try {
      const refused = await viaCookie.call("dashboard.code", {});
      expect(refused.error).toMatchObject({ code: -32001, message: /needs the token/ });
      expect((await socket.call("dashboard.code", {})).error).toBeUndefined();
      const connected = server.audit.filter((e) => e.event === "connected");
      expect(connected.map((e) => (e as { auth?: string }).auth)).toEqual(
        expect.arrayContaining(["token", "cookie"]),
      );
    } finally {
      viaCookie.close();
    }
  });

  it("log-out ends the session in the server: the old cookie opens nothing, its socket closes", async () => {
    const cookie = await login();
    const live = await RpcSocket.open(server.wsUrl, {
      headers: { cookie, origin },
      protocols: ["cc-executor"],
    });
    expect((await live.call("server.status", {})).error).toBeUndefined();
    const closed = new Promise<number>((resolve) => live.ws.once("close", (code) => resolve(code)));
    // Another origin's form cannot log us out (nor does its request carry our cookie).
    const foreign = await probe(server.port, {
      method: "POST",
      path: "/logout",
      headers: { cookie, origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const out = await probe(server.port, {
      method: "POST",
      path: "/logout",
      headers: { cookie, origin },
    });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/");
    expect(String(out.headers["set-cookie"])).toMatch(
      /=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0/,
    );
    expect(await closed).toBe(1008);
    // The same cookie, kept by someone who copied it, is refused from now on.
    const again = await probe(server.port, {
      upgrade: true,
      protocols: ["cc-executor"],
      headers: { cookie, origin },
    });
    expect(again.upgraded).toBe(false);
    expect(again.status).toBe(401);
    expect(
      (await probe(server.port, { path: "/health", headers: { cookie, origin } })).status,
    ).toBe(401);
    expect(server.audit).toContainEqual({ event: "dashboard_logout", peer: "127.0.0.1" });
    // Logging out twice (a second tab) just goes to the login notice.
    const twice = await probe(server.port, {
      method: "POST",
      path: "/logout",
      headers: { cookie, origin },
    });
    expect(twice.status).toBe(303);
    expect(
      (await probe(server.port, { method: "GET", path: "/logout", headers: { origin } })).status,
    ).toBe(401);
  });

  it("a code expires after 5 minutes", () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
    try {
      const auth = new DashboardAuth();
      const late = auth.issueCode();
      const fresh = auth.issueCode();
      vi.setSystemTime(Date.now() + CODE_LIFETIME_MS - 1);
      expect(auth.redeem(fresh.code)).not.toBeNull();
      vi.setSystemTime(Date.now() + 2);
      expect(auth.redeem(late.code)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the CLI prints the login link", () => {
  it("server start (not a TTY) prints `dashboard: URL`; cc-executor dashboard prints another", async () => {
    requireBuiltCli();
    const home = tempDir("cce-dash-home-");
    const env = cliEnv(home);
    const started = new CliProcess(["server", "start", "--port", "0"], { env });
    try {
      await started.waitForStdout(/^dashboard: .*\n/m);
      const printed = /^dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?code=[\w-]+)$/m.exec(
        started.stdout,
      );
      expect(printed, started.stdout).not.toBeNull();
      const port = Number(printed?.[2]);
      // The bundled CLI (dist/command) finds dist/web too.
      const page = await probe(port, { path: "/" });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="app">');
      const fromStart = new URL(printed?.[1] as string);
      const dashboard = await runCli(["dashboard"], { env: { ...env, DISPLAY: "" } });
      expect(dashboard.code, dashboard.stderr).toBe(0);
      const link = new URL(dashboard.stdout.trim());
      expect(link.origin).toBe(`http://127.0.0.1:${port}`);
      for (const url of [fromStart, link]) {
        const path = `/${url.search}`;
        expect((await probe(port, { path })).status).toBe(303);
        expect((await probe(port, { path })).status).toBe(403);
      }
    } finally {
      started.kill("SIGTERM");
      await started.exited;
      if (existsSync(home)) rmSync(home, { recursive: true, force: true });
    }
  });

  it("cc-executor dashboard without a server says how to start one", async () => {
    requireBuiltCli();
    const home = tempDir("cce-dash-home-");
    try {
      const result = await runCli(["dashboard"], { env: cliEnv(home) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("cc-executor server start");
      expect(result.stderr).not.toContain("    at ");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("web/ speaks the public protocol only", () => {
  it("imports nothing of src/ but the client SDK and the protocol", () => {
    const dir = new URL("../web/src/", import.meta.url);
    const files = readdirSync(dir).filter(
      (name) => /\.tsx?$/.test(name) && !name.includes(".test."),
    );
    expect(files.length).toBeGreaterThan(10);
    const reached = new Set<string>();
    for (const name of files) {
      const text = readFileSync(new URL(name, dir), "utf8");
      for (const [, target] of text.matchAll(/from "\.\.\/\.\.\/src\/([^/"]+)\//g))
        reached.add(target as string);
    }
    expect([...reached].sort()).toEqual(["client", "protocol"]);
  });
});
