import { describe, expect, it } from "vitest";
import { commandClass, commandLineClass, promptClass } from "../src/store/command-class.js";

describe("command classes", () => {
  it("gives runs that differ in numbers, paths, quoted strings, ids and URLs one class", () => {
    expect(commandClass("command", "pytest tests/test_a.py -x --maxfail 3")).toBe(
      commandClass("command", "pytest  tests/unit/test_b.py -x --maxfail 10"),
    );
    expect(commandLineClass("pytest tests/test_a.py -x --maxfail 3")).toBe(
      "pytest <path> -x --maxfail <n>",
    );
    expect(commandLineClass("sleep 5")).toBe("sleep <n>");
    expect(commandLineClass("echo \"hello world\" 'x y'")).toBe("echo <str> <str>");
    expect(commandLineClass("git checkout 3f2a9c1e && npm test")).toBe(
      "git checkout <id> && npm test",
    );
    expect(commandLineClass("docker run 123e4567-e89b-12d3-a456-426614174000")).toBe(
      "docker run <id>",
    );
    expect(commandLineClass("curl -s https://example.com/a?id=4 | jq .x")).toBe(
      "curl -s <url> | jq .x",
    );
    expect(commandLineClass("cat ~/notes/today.md")).toBe("cat <path>");
    expect(commandLineClass("run --out=/tmp/x-1 --port=8080")).toBe("run --out=<path> --port=<n>");
  });

  it("keeps program names (minus their folder) and marks env assignments", () => {
    expect(commandLineClass("/usr/bin/python3 script.py")).toBe("python3 script.py");
    expect(commandLineClass("./configure && make -j8")).toBe("configure && make -j<n>");
    expect(commandLineClass("FOO=bar BAZ=1 make build")).toBe("FOO=<v> BAZ=<v> make build");
    expect(commandLineClass("  ls   -la  ")).toBe("ls -la");
  });

  it("keeps different commands apart", () => {
    expect(commandClass("command", "npm test")).not.toBe(commandClass("command", "npm run build"));
    expect(commandClass("command", "sleep 1")).not.toBe(commandClass("claude", "sleep 1"));
  });

  it("classes prompts by their first words, case and punctuation aside", () => {
    expect(promptClass("Task 3: Summarise the file /tmp/a.md in 200 words")).toBe(
      "task <n> summarise the file <path> in <n>",
    );
    expect(commandClass("claude", "Write a haiku about 'autumn'!")).toBe(
      commandClass("claude", '  WRITE a HAIKU about "spring"'),
    );
    expect(promptClass("one two three four five six seven eight nine ten").split(" ")).toHaveLength(
      8,
    );
  });

  it("caps the class length", () => {
    expect(commandClass("command", `echo ${"x".repeat(1000)}`).length).toBeLessThanOrEqual(200);
  });
});
