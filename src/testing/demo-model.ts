/**
 * The offline model of `npm run demo` (examples/demo.mjs) when no Claude login is found: scripted
 * answers, on the mock Messages API, to the three tasks of examples/basic/tasks.md. The real
 * `claude` CLI runs each task — a fresh process, real tool calls (Write, Read, Edit, Bash) on
 * real files — only the model's turns are written in advance. What a turn says about earlier
 * results (task 1's answer quoted in task 2, the number of passing tests) is read from the
 * request, so what the demo shows was really passed on and really run.
 */
import type { MockAnthropic } from "./mock-anthropic/index.js";
import {
  firstUserText,
  type MockReply,
  type RecordedRequest,
  textReply,
  toolResults,
  toolUseReply,
} from "./mock-anthropic/index.js";

const TODO_PY = `"""A tiny in-memory TODO list."""

_items = {}
_next_id = 1


def add(title):
    """Adds an item; returns its id."""
    global _next_id
    item_id = _next_id
    _next_id += 1
    _items[item_id] = {"id": item_id, "title": title, "done": False}
    return item_id


def list_items():
    """All items, oldest first."""
    return [dict(item) for item in _items.values()]


def done(item_id):
    """Marks an item done."""
    _items[item_id]["done"] = True
`;

const TEST_TODO_PY = `import unittest

import todo


class TodoTest(unittest.TestCase):
    def test_add_returns_new_ids(self):
        self.assertNotEqual(todo.add("write tests"), todo.add("run them"))

    def test_list_items_shows_added(self):
        item_id = todo.add("listed")
        titles = {item["id"]: item["title"] for item in todo.list_items()}
        self.assertEqual(titles[item_id], "listed")

    def test_done_marks_item(self):
        item_id = todo.add("finish")
        todo.done(item_id)
        item = next(i for i in todo.list_items() if i["id"] == item_id)
        self.assertTrue(item["done"])


if __name__ == "__main__":
    unittest.main()
`;

const DONE_LINE = `    _items[item_id]["done"] = True\n`;
const REMOVE_FUNCTION = `${DONE_LINE}

def remove(item_id):
    """Removes an item."""
    del _items[item_id]
`;
const MAIN_GUARD = `\n\n\nif __name__ == "__main__":`;
const REMOVE_TEST = `

    def test_remove_deletes_item(self):
        item_id = todo.add("gone")
        todo.remove(item_id)
        self.assertNotIn(item_id, [item["id"] for item in todo.list_items()])${MAIN_GUARD}`;

const RUN_TESTS = "python3 -m unittest -q test_todo";

/** Turns the model has taken in this conversation (0 for the first request of a run). */
function turn(request: RecordedRequest): number {
  return (request.body?.messages ?? []).filter((message) => message.role === "assistant").length;
}

/** The run's working directory, as the CLI tells the model in its environment section. */
function workDir(request: RecordedRequest): string {
  const match = /Primary working directory: ([^\s"\\]+)/.exec(JSON.stringify(request.body ?? {}));
  return match?.[1] ?? ".";
}

/** "3 tests pass" from unittest's output (the Bash tool result), or what went wrong. */
function testOutcome(request: RecordedRequest): string {
  const output = toolResults(request)[0]?.text ?? "";
  const ran = /Ran (\d+) tests?/.exec(output);
  if (ran && /\bOK\b/.test(output)) return `${ran[1]} tests pass.`;
  const last = output.trim().split("\n").at(-1) ?? "no output";
  return `The tests did not pass: ${last}`;
}

function bash(command: string, text?: string): MockReply {
  return toolUseReply({ name: "Bash", input: { command, description: "Run the tests" } }, { text });
}

function createModule(request: RecordedRequest): MockReply {
  const dir = workDir(request);
  if (turn(request) === 0)
    return toolUseReply(
      { name: "Write", input: { file_path: `${dir}/todo.py`, content: TODO_PY } },
      { text: "I will write todo.py with the three functions." },
    );
  return textReply(
    "Created todo.py with the functions add(title), list_items() and done(item_id).",
  );
}

function writeTests(request: RecordedRequest): MockReply {
  const dir = workDir(request);
  switch (turn(request)) {
    case 0: {
      const reported = /The previous task reported: (.*?)\.?$/m.exec(firstUserText(request))?.[1];
      return toolUseReply(
        { name: "Read", input: { file_path: `${dir}/todo.py` } },
        { text: `Task 1 reported: "${reported ?? "nothing"}". Reading todo.py first.` },
      );
    }
    case 1:
      return toolUseReply({
        name: "Write",
        input: { file_path: `${dir}/test_todo.py`, content: TEST_TODO_PY },
      });
    case 2:
      return bash(RUN_TESTS);
    default:
      return textReply(
        `Wrote test_todo.py with a test for each function.\n${testOutcome(request)}`,
      );
  }
}

function addFeature(request: RecordedRequest): MockReply {
  const dir = workDir(request);
  switch (turn(request)) {
    case 0:
      return toolUseReply(
        [
          { name: "Read", input: { file_path: `${dir}/todo.py` } },
          { name: "Read", input: { file_path: `${dir}/test_todo.py` } },
        ],
        { text: "Reading the module and its tests." },
      );
    case 1:
      return toolUseReply([
        {
          name: "Edit",
          input: {
            file_path: `${dir}/todo.py`,
            old_string: DONE_LINE,
            new_string: REMOVE_FUNCTION,
          },
        },
        {
          name: "Edit",
          input: {
            file_path: `${dir}/test_todo.py`,
            old_string: MAIN_GUARD,
            new_string: REMOVE_TEST,
          },
        },
      ]);
    case 2:
      return bash(RUN_TESTS);
    default:
      return textReply(`Added remove(item_id) and a test for it.\n${testOutcome(request)}`);
  }
}

/** Installs the scripted answers; anything else gets a short reply saying what this model is. */
export function installDemoModel(mock: MockAnthropic): void {
  const prompt = (text: string) => (request: RecordedRequest) =>
    firstUserText(request).includes(text);
  mock.when(prompt("Add `remove(item_id)`"), addFeature);
  mock.when(prompt("write `test_todo.py`"), writeTests);
  mock.when(prompt("Create `todo.py`"), createModule);
  mock.setDefault(
    textReply("This is cc-executor's offline demo model: it only knows the examples/basic tasks."),
  );
}
