/**
 * Start [new-run]: a command, a Claude prompt (cwd, model, allowed tools, permission mode), or a
 * task list — pasted (Markdown, YAML or JSON, read by the server's own parser: `tasks.run {text,
 * format}`), or a list file on the server's machine. Submit [start] goes to the new execution's
 * view, or to the task runs.
 */
import { useState } from "preact/hooks";
import type { CcExecutorClient } from "./connection.js";
import { navigate } from "./router.js";

type Kind = "command" | "claude" | "tasks";
type ListFormat = "markdown" | "yaml" | "json";

function newId(): string {
  return crypto.randomUUID();
}

function words(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

export function NewRun({ client }: { client: CcExecutorClient }) {
  const [kind, setKind] = useState<Kind>("command");
  const [text, setText] = useState("");
  const [cwd, setCwd] = useState("");
  const [model, setModel] = useState("");
  const [tools, setTools] = useState("");
  const [permissionMode, setPermissionMode] = useState("");
  const [listPath, setListPath] = useState("");
  const [listFormat, setListFormat] = useState<ListFormat>("markdown");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const where = cwd.trim() ? { cwd: cwd.trim() } : {};
      if (kind === "command") {
        const { execution_id } = await client.request("execute", {
          command: text,
          execution_id: newId(),
          ...where,
        });
        navigate({ view: "execution", id: execution_id });
      } else if (kind === "claude") {
        const { execution_id } = await client.request("claude.execute", {
          prompt: text,
          execution_id: newId(),
          ...where,
          ...(model.trim() ? { model: model.trim() } : {}),
          ...(tools.trim() ? { allowed_tools: words(tools) } : {}),
          ...(permissionMode ? { permission_mode: permissionMode } : {}),
        });
        navigate({ view: "execution", id: execution_id });
      } else {
        const source = listPath.trim() ? { path: listPath.trim() } : { text, format: listFormat };
        const { run_id } = await client.request("tasks.run", {
          ...source,
          ...(cwd.trim() ? { base_dir: cwd.trim() } : {}),
          stream_output: false,
        });
        navigate({ view: "tasks", runId: run_id });
      }
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="new-run">
      <h2>Start</h2>
      <form class="form" onSubmit={submit}>
        <fieldset class="kinds">
          <legend>What to run</legend>
          {(
            [
              ["command", "Command"],
              ["claude", "Claude prompt"],
              ["tasks", "Task list"],
            ] as const
          ).map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="kind"
                value={value}
                data-testid={`kind-${value}`}
                checked={kind === value}
                onChange={() => setKind(value)}
              />{" "}
              {label}
            </label>
          ))}
        </fieldset>
        {kind === "command" && (
          <label>
            Command
            <input
              data-testid="command-input"
              value={text}
              required
              placeholder="npm test"
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
          </label>
        )}
        {kind === "claude" && (
          <>
            <label>
              Prompt
              <textarea
                data-testid="prompt-input"
                rows={6}
                value={text}
                required
                onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
              />
            </label>
            <label>
              Model
              <input
                data-testid="model-input"
                value={model}
                placeholder="(default)"
                onInput={(e) => setModel((e.target as HTMLInputElement).value)}
              />
            </label>
            <label>
              Allowed tools
              <input
                data-testid="tools-input"
                value={tools}
                placeholder="Write Read Bash(git *)"
                onInput={(e) => setTools((e.target as HTMLInputElement).value)}
              />
            </label>
            <label>
              Permission mode
              <select
                value={permissionMode}
                onChange={(e) => setPermissionMode((e.target as HTMLSelectElement).value)}
              >
                <option value="">(default)</option>
                <option value="acceptEdits">acceptEdits</option>
                <option value="plan">plan</option>
              </select>
            </label>
          </>
        )}
        {kind === "tasks" && (
          <>
            <label>
              Task list (Markdown, YAML or JSON, as in a list file)
              <textarea
                data-testid="tasks-input"
                rows={8}
                value={text}
                placeholder={"Task 1: Write the plan\nTask 2: Review it: {{tasks.1.result}}"}
                onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
              />
            </label>
            <label>
              Format of the pasted list
              <select
                data-testid="tasks-format"
                value={listFormat}
                onChange={(e) => setListFormat((e.target as HTMLSelectElement).value as ListFormat)}
              >
                <option value="markdown">Markdown</option>
                <option value="yaml">YAML</option>
                <option value="json">JSON</option>
              </select>
            </label>
            <label>
              or a list file on the server (.md, .json, .yaml)
              <input
                data-testid="tasks-path"
                value={listPath}
                placeholder="/path/to/tasks.md"
                onInput={(e) => setListPath((e.target as HTMLInputElement).value)}
              />
            </label>
          </>
        )}
        <label>
          Working directory
          <input
            data-testid="cwd-input"
            value={cwd}
            placeholder="(the server's)"
            onInput={(e) => setCwd((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="error" role="alert" data-testid="start-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" data-testid="start" disabled={busy}>
          Start
        </button>
      </form>
    </section>
  );
}
