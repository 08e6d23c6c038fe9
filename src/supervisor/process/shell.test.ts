import { describe, expect, it } from "vitest";
import { resolveShell, shellArgv, unbufferedCommand } from "./shell.js";

const STDBUF = "/usr/bin/stdbuf";

describe("shellArgv", () => {
  it("runs the command line through the shell with -c", () => {
    expect(shellArgv("echo hi | wc -c", { shell: "/bin/bash", stdbufPath: STDBUF })).toEqual([
      "/bin/bash",
      ["-c", "echo hi | wc -c"],
    ]);
  });

  it("unbuffers tools that buffer a piped stdout, also when named by path", () => {
    expect(shellArgv("python3 -c 'print(1)'", { shell: "/bin/sh", stdbufPath: STDBUF })[1]).toEqual(
      ["-c", `${STDBUF} -o0 -e0 python3 -c 'print(1)'`],
    );
    expect(
      shellArgv("  /usr/bin/node app.js", { shell: "/bin/sh", stdbufPath: STDBUF })[1][1],
    ).toBe(`${STDBUF} -o0 -e0   /usr/bin/node app.js`);
  });

  it("leaves other commands, and everything when stdbuf is missing, alone", () => {
    expect(shellArgv("nodejs-like-tool", { shell: "/bin/sh", stdbufPath: STDBUF })[1][1]).toBe(
      "nodejs-like-tool",
    );
    expect(shellArgv("python3 x.py", { shell: "/bin/sh", stdbufPath: null })[1][1]).toBe(
      "python3 x.py",
    );
  });

  it("wraps a directly spawned tool (no shell) the same way", () => {
    expect(unbufferedCommand("/opt/bin/claude", ["-p", "hi"], STDBUF)).toEqual([
      STDBUF,
      ["-o0", "-e0", "/opt/bin/claude", "-p", "hi"],
    ]);
    expect(unbufferedCommand("/bin/ls", ["-l"], STDBUF)).toEqual(["/bin/ls", ["-l"]]);
  });

  it("resolves sh to /bin/sh and falls back from a missing shell to one that exists", () => {
    expect(resolveShell("sh")).toBe("/bin/sh");
    expect(resolveShell("default")).toMatch(/\/(zsh|bash|sh)$/);
  });
});
