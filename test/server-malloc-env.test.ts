/**
 * The launcher starts the server with glibc's dynamic mmap threshold off, so memory a large
 * stream made malloc take goes back and later forks stay cheap (issue 15, item 12;
 * src/runtime/server-malloc-env.ts). The setting is the server's: the commands it runs get the
 * environment the user started it with.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  dropLauncherEnv,
  LAUNCHER_ENV_MARK,
  withServerMallocEnv,
} from "../src/runtime/server-malloc-env.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const SETTING = "MALLOC_TRIM_THRESHOLD_";

describe("the server's malloc setting", () => {
  it("is added where the user set none, marked, and dropped again for children", () => {
    const env = withServerMallocEnv({ PATH: "/bin" });
    expect(env).toEqual({ PATH: "/bin", [SETTING]: "131072", [LAUNCHER_ENV_MARK]: SETTING });
    dropLauncherEnv(env);
    expect(env).toEqual({ PATH: "/bin" });
  });

  it("leaves a value the user set, for the server and its children alike", () => {
    const env = withServerMallocEnv({ [SETTING]: "65536" });
    expect(env).toEqual({ [SETTING]: "65536" });
    dropLauncherEnv(env);
    expect(env).toEqual({ [SETTING]: "65536" });
  });

  it("drops only the malloc variables a mark names", () => {
    const env = { PATH: "/bin", [LAUNCHER_ENV_MARK]: "PATH toString" };
    dropLauncherEnv(env);
    expect(env).toEqual({ PATH: "/bin" });
  });

  describe("in a server started through the bin", () => {
    let server: ServerProcess | undefined;
    afterEach(async () => {
      await server?.cleanup();
      server = undefined;
    });

    /** The output of `env` run by the server, and the server's own environment. */
    async function envOfServerAndChild(userEnv: Record<string, string>) {
      server = await startServerProcess(userEnv, { launcher: true });
      const own = readFileSync(`/proc/${server.pid}/environ`, "utf8").split("\0");
      const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
      try {
        await socket.notification("connected");
        const { id } = await socket.run("env");
        const output = socket.output(id);
        return { own, child: output.split("\n") };
      } finally {
        socket.close();
      }
    }

    it("the server runs with it; its commands do not see it", async () => {
      const { own, child } = await envOfServerAndChild({});
      expect(own).toContain(`${SETTING}=131072`);
      expect(child.some((line) => line.startsWith(SETTING))).toBe(false);
      expect(child.some((line) => line.startsWith(LAUNCHER_ENV_MARK))).toBe(false);
      expect(child.some((line) => line.startsWith("PATH="))).toBe(true);
    }, 30_000);

    it("a user's own value reaches the server and its commands unchanged", async () => {
      const { own, child } = await envOfServerAndChild({ [SETTING]: "65536" });
      expect(own).toContain(`${SETTING}=65536`);
      expect(child).toContain(`${SETTING}=65536`);
    }, 30_000);
  });
});
