/**
 * Is a command line a run of the Claude CLI? Checked on every `execute`, so it lives apart from
 * the Claude runtime, which is loaded only when one is (engine/claude-execution.ts).
 */

/** Leading `NAME=value` words, then the program: is it the Claude CLI? */
export function startsWithClaude(command: string, claudeBin: string | null): boolean {
  const words = command.trim().split(/\s+/);
  let index = 0;
  while (index < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index] ?? "")) index++;
  if (words[index] === "env") return startsWithClaude(words.slice(index + 1).join(" "), claudeBin);
  const program = words[index] ?? "";
  if (claudeBin && program === claudeBin) return true;
  return program.slice(program.lastIndexOf("/") + 1) === "claude";
}
