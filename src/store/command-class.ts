/**
 * Command classes for timeout learning: runs that differ only in numbers, paths, quoted
 * strings, ids or URLs are "the same command" (`pytest tests/a.py -x 3` and
 * `pytest tests/b.py -x 5` both become `cmd:pytest <path> -x <n>`). Claude prompts are
 * classed by their first words after the same clean-up, since a workflow's prompts of one kind
 * tend to start alike ("Task 3: summarise …").
 */
import type { ExecutionKind } from "./store.js";

const MAX_CLASS_CHARS = 200;
const PROMPT_WORDS = 8;

const QUOTED = /'[^']*'|"(?:[^"\\]|\\.)*"/g;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** Hashes and hex ids: 7+ hex digits with at least one digit (so plain words stay). */
const HEX_ID = /\b(?=[0-9a-f]*\d)[0-9a-f]{7,}\b/gi;
/** A path: anything with a slash in it, or starting with ~ or ./ */
const PATH = /(?:~|\.{1,2})?\/[^\s=:,;|&<>()'"]*|[^\s=:,;|&<>()'"/]+(?:\/[^\s=:,;|&<>()'"/]*)+/g;
const NUMBER = /\d+(?:\.\d+)*/g;
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const OPERATORS = new Set([";", "&&", "||", "|", "&", "(", ")", "{", "}", "then", "do", "!"]);

export function commandClass(kind: ExecutionKind, text: string): string {
  const key = kind === "claude" ? `claude:${promptClass(text)}` : `cmd:${commandLineClass(text)}`;
  return key.slice(0, MAX_CLASS_CHARS);
}

/** Normalises a shell command line; program names keep their name but lose their folder. */
export function commandLineClass(command: string): string {
  const tokens = command.replace(QUOTED, "<str>").trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let expectProgram = true;
  for (const token of tokens) {
    if (OPERATORS.has(token)) {
      out.push(token);
      expectProgram = true;
      continue;
    }
    if (expectProgram && ENV_ASSIGNMENT.test(token)) {
      out.push(`${token.slice(0, token.indexOf("="))}=<v>`);
      continue;
    }
    if (expectProgram) {
      out.push(programName(token));
      expectProgram = false;
      continue;
    }
    out.push(placeholders(token));
  }
  return out.join(" ");
}

export function promptClass(prompt: string): string {
  const cleaned = placeholders(prompt.replace(QUOTED, "<str>").toLowerCase())
    .replace(/[^a-z0-9<>_\s-]+/g, " ")
    .trim();
  return cleaned.split(/\s+/).filter(Boolean).slice(0, PROMPT_WORDS).join(" ");
}

/** `/usr/bin/python3` → `python3`: the program is the class's anchor, so its digits stay. */
function programName(token: string): string {
  return token.slice(token.lastIndexOf("/") + 1) || token;
}

function placeholders(text: string): string {
  return text
    .replace(URL, "<url>")
    .replace(UUID, "<id>")
    .replace(PATH, "<path>")
    .replace(HEX_ID, "<id>")
    .replace(NUMBER, "<n>");
}
