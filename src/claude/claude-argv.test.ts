import { describe, expect, it } from "vitest";
import { claudeArgs, claudeBinary, toolList } from "./claude-argv.js";

describe("claudeArgs", () => {
  it("puts the prompt last, after --, even when it looks like a flag", () => {
    expect(claudeArgs({ prompt: "--help me" })).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
      "--",
      "--help me",
    ]);
  });

  it("adds every option before the prompt, tools as one comma list", () => {
    const args = claudeArgs({
      prompt: "p",
      model: "sonnet",
      maxTurns: 3,
      permissionMode: "acceptEdits",
      appendSystemPrompt: "be brief",
      resumeSession: "abc",
      mcpConfig: "/tmp/mcp.json",
      allowedTools: ["Write", "Bash(git *)"],
    });
    expect(args.slice(5)).toEqual([
      "--model",
      "sonnet",
      "--max-turns",
      "3",
      "--permission-mode",
      "acceptEdits",
      "--append-system-prompt",
      "be brief",
      "--resume",
      "abc",
      "--mcp-config",
      "/tmp/mcp.json",
      "--allowedTools",
      "Write,Bash(git *)",
      "--",
      "p",
    ]);
  });

  it("splits tool strings and finds the binary", () => {
    expect(toolList("Write, Read  Bash")).toEqual(["Write", "Read", "Bash"]);
    expect(claudeArgs({ prompt: "p", allowedTools: "" })).not.toContain("--allowedTools");
    expect(claudeBinary(null)).toBe("claude");
    expect(claudeBinary("/opt/claude")).toBe("/opt/claude");
  });
});
