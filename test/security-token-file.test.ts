/**
 * The token at rest and in use (DESIGN §3, §11): created on first start as 64 hex characters
 * in a 0600 file inside a 0700 home, kept across restarts, refused when others can read it;
 * never in a child's environment; never in the audit log (which is 0600 JSON lines).
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Settings as SettingsSchema } from "../src/config/settings.js";
import { rotateToken } from "../src/config/token.js";
import { silentLogger } from "../src/log/logger.js";
import { startServer } from "../src/server/server.js";
import { probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A home path that does not exist yet, inside a temporary directory removed after the test. */
function freshHome(): string {
  const parent = tempDir("cce-token-");
  cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
  return join(parent, "home");
}

async function serve(home: string): Promise<TestServer> {
  const server = await startTestServer({ home });
  cleanup.push(() => server.stop());
  return server;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("token file", () => {
  it("is created on first start: 64 hex chars, file 0600, home 0700; kept across restarts", async () => {
    const home = freshHome();
    const first = await startTestServer({ home });
    const tokenPath = join(home, "token");
    expect(mode(home)).toBe(0o700);
    expect(mode(tokenPath)).toBe(0o600);
    const text = readFileSync(tokenPath, "utf8");
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(first.token).toBe(text.trim());
    expect(readdirSync(home).filter((name) => name.startsWith("token"))).toEqual(["token"]);
    await first.close();

    const second = await serve(home);
    expect(second.token).toBe(text.trim());
    const socket = await RpcSocket.open(second.wsUrl, { token: text.trim() });
    socket.close();
  });

  it.each([0o640, 0o604, 0o660, 0o644])(
    "a token file with mode %s makes startServer fail with a clear message",
    async (fileMode) => {
      const home = freshHome();
      const server = await startTestServer({ home });
      await server.close();
      const tokenPath = join(home, "token");
      chmodSync(tokenPath, fileMode);
      await expect(startTestServer({ home })).rejects.toThrow(
        `${tokenPath} is readable by other users (mode ${fileMode.toString(8)}); run "chmod 600 ${tokenPath}"`,
      );
      chmodSync(tokenPath, 0o600);
      await serve(home);
    },
  );

  // Only root can give a file away; elsewhere the refusal cannot be set up.
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) console.warn("security-token-file: not root, the foreign-owner test is skipped");
  it.skipIf(!isRoot)(
    "a token file another user owns is refused; `token --rotate` makes it this user's again",
    async () => {
      const home = freshHome();
      const server = await startTestServer({ home });
      await server.close();
      const tokenPath = join(home, "token");
      const nobody = 65534;
      chownSync(tokenPath, nobody, nobody);
      // Root is told to act as the owner: rotating would make the file root's.
      await expect(startTestServer({ home })).rejects.toThrow(
        `${tokenPath} belongs to another user (uid ${nobody}, this is uid 0); run cc-executor as uid ${nobody}`,
      );
      const rotated = rotateToken(tokenPath);
      expect(statSync(tokenPath).uid).toBe(0);
      expect(mode(tokenPath)).toBe(0o600);
      expect(readdirSync(home).filter((name) => name.startsWith("token"))).toEqual(["token"]);
      expect((await serve(home)).token).toBe(rotated);
    },
  );

  it("a token file that holds no token is refused, not replaced", async () => {
    const home = freshHome();
    const server = await startTestServer({ home });
    await server.close();
    writeFileSync(join(home, "token"), "not-a-token\n", { mode: 0o600 });
    await expect(startTestServer({ home })).rejects.toThrow("does not hold a token");
    expect(readFileSync(join(home, "token"), "utf8")).toBe("not-a-token\n");
  });
});

describe("the token never reaches a child", () => {
  it("is absent from `env` of an execution, even when the server's env carries it", async () => {
    const server = await serve(freshHome());
    const token = server.token as string;
    const saved = process.env.CC_EXECUTOR_TOKEN;
    process.env.CC_EXECUTOR_TOKEN = token;
    cleanup.push(() => {
      if (saved === undefined) delete process.env.CC_EXECUTOR_TOKEN;
      else process.env.CC_EXECUTOR_TOKEN = saved;
    });
    const socket = await RpcSocket.open(server.wsUrl, { token });
    cleanup.push(() => socket.close());
    const { id, completed } = await socket.run("env; cat /proc/self/environ | tr '\\0' '\\n'");
    expect(completed.status).toBe("completed");
    const output = socket.output(id);
    expect(output).toContain(`CC_EXECUTOR_EXECUTION_ID=${id}`);
    expect(output).not.toContain(token);
    expect(output).not.toContain("CC_EXECUTOR_TOKEN");
  });
});

describe("audit log", () => {
  it("is 0600 JSON lines with refusals (in their own file), executions and exits — never the token or env values", async () => {
    const home = freshHome();
    const settings = SettingsSchema.parse({ home, port: 0, logLevel: "silent", shell: "bash" });
    const server = await startServer(settings, { logger: silentLogger });
    let stopped = false;
    cleanup.push(async () => {
      if (!stopped) await server.close();
    });
    const token = server.token as string;
    const refused = await probe(server.port, { upgrade: true, token: `${token.slice(1)}0` });
    expect(refused.status).toBe(401);
    const socket = await RpcSocket.open(server.wsUrl, { token });
    await socket.run('echo "$SECRET_VALUE" > /dev/null', { env: { SECRET_VALUE: "hunter2-xyz" } });
    socket.close();
    await server.close();
    stopped = true;

    // Refusals are kept in a file of their own, so that they cannot rotate the others out.
    const paths = ["audit.jsonl", "audit-refusals.jsonl"].map((name) => join(home, "logs", name));
    for (const path of paths) {
      expect(existsSync(path)).toBe(true);
      expect(mode(path)).toBe(0o600);
    }
    const text = paths.map((path) => readFileSync(path, "utf8")).join("");
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(1));
    expect(text).not.toContain("hunter2-xyz");
    const entries = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ event: "refused", reason: "wrong token", path: "/ws/mcp" }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ event: "execute", command: 'echo "$SECRET_VALUE" > /dev/null' }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ event: "exit", status: "completed", exit_code: 0 }),
    );
  });
});
