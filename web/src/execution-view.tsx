/**
 * One execution [execution-view]: its output in a terminal (live, replayed from the start by
 * `subscribe`, re-attached without gaps after a reconnect by the client SDK), a transcript for
 * Claude runs, and its controls. An execution the server no longer holds in memory is read
 * from history (`history.get`).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { RemoteError } from "../../src/client/browser.js";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { WireExecution } from "../../src/protocol/history.js";
import type { CcExecutorClient } from "./connection.js";
import { elapsedMs, formatCost, formatDuration, isFinal } from "./format.js";
import { TerminalView } from "./terminal.js";
import { type TranscriptItem, TranscriptParser } from "./transcript.js";
import { TranscriptView } from "./transcript-view.js";

const CHAR_WIDTH_PX = 7.8;

interface Props {
  client: CcExecutorClient;
  executionId: string;
}

export function ExecutionView({ client, executionId }: Props) {
  const terminalBox = useRef<HTMLDivElement>(null);
  const terminal = useRef<TerminalView | null>(null);
  const [record, setRecord] = useState<WireExecution | null>(null);
  const [status, setStatus] = useState("…");
  const [error, setError] = useState<string | null>(null);
  const [items, setItems] = useState<TranscriptItem[]>([]);
  const [follow, setFollow] = useState(true);
  const followRef = useRef(follow);
  followRef.current = follow;
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  /** The last search's outcome: null before any. */
  const [found, setFound] = useState<boolean | null>(null);
  const kindRef = useRef<string>("command");
  kindRef.current = record?.kind ?? "command";

  // The record: kind, command, cost; re-read while the execution runs.
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const load = async () => {
      try {
        const { execution } = await client.request("history.get", {
          execution_id: executionId,
          max_output_bytes: 1,
        });
        if (stopped) return;
        setRecord(execution);
        if (isFinal(execution.status)) setStatus(execution.status);
        if (isFinal(execution.status)) return;
      } catch {
        // Not recorded (yet): the stream's status is all there is.
      }
      if (!stopped) timer = window.setTimeout(load, 2000);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // Read again when the status changes: a finished run's record has its cost and exit code.
  }, [client, executionId, status]);

  const kind = record?.kind ?? "command";
  useEffect(() => {
    if (terminal.current && terminalBox.current)
      fitTerminal(terminal.current, terminalBox.current, kind);
  }, [kind]);

  // The output: the terminal and, for Claude runs, the transcript.
  useEffect(() => {
    const box = terminalBox.current;
    if (!box) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const view = new TerminalView(box, dark);
    terminal.current = view;
    const fitToBox = () => fitTerminal(view, box, kindRef.current);
    fitToBox();
    window.addEventListener("resize", fitToBox);
    const parser = new TranscriptParser();
    let disposed = false;
    const take = (data: string, stream: "stdout" | "stderr") => {
      view.write(data);
      if (stream === "stdout") {
        const parsed = parser.push(data);
        if (parsed.length) setItems((old) => [...old, ...parsed]);
      }
      if (followRef.current) view.scrollToBottom();
    };
    const stream = client.attach(executionId);
    // Leaving the view abandons the stream (below), which rejects its result: nobody waits on it.
    stream.result.catch(() => {});
    stream.started.then(
      (reply) => !disposed && setStatus(reply.status),
      async (failure: unknown) => {
        if (disposed) return;
        if (failure instanceof RemoteError && failure.code === ErrorCode.ExecutionNotFound) {
          await showRecorded(client, executionId, take).catch((e: Error) => setError(e.message));
        } else setError((failure as Error).message);
      },
    );
    void (async () => {
      for await (const event of stream) {
        if (disposed) break;
        if (event.type === "output") take(event.data, event.stream);
        else if (event.type === "completed") setStatus(event.result.status);
        else if (event.type === "paused") setStatus("paused");
        else if (event.type === "resumed" || event.type === "started") setStatus("running");
        else if (event.type === "canceled") setStatus("canceling");
        else if (event.type === "gap")
          view.write(`\r\n[… output ${event.fromSeq}–${event.toSeq} was not kept …]\r\n`);
      }
    })();
    return () => {
      disposed = true;
      window.removeEventListener("resize", fitToBox);
      view.dispose();
      terminal.current = null;
      // The SDK forgets the stream (no re-attach after a reconnect), the server stops sending.
      stream.abandon(new Error("the view was closed"));
      void client.request("unsubscribe", { execution_id: executionId }).catch(() => {});
    };
  }, [client, executionId]);

  const control = async (action: "cancel" | "pause" | "resume") => {
    setBusy(true);
    try {
      await client[action](executionId);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const running = !isFinal(status) && status !== "…";
  const duration = record?.duration_ms ?? elapsedMs(record?.started_at ?? null, null);
  return (
    <section data-testid="execution-view" data-status={status} class="execution">
      <div class="toolbar">
        <h2>
          <span class={`kind kind-${kind}`}>{kind === "claude" ? "claude" : "$"}</span>{" "}
          <span class="command" title={record?.command}>
            {record?.command ?? executionId}
          </span>
        </h2>
        <span class={`status status-${status}`} data-testid="execution-status">
          {status}
        </span>
      </div>
      <p class="meta muted">
        <code>{executionId}</code> · {formatDuration(duration)}
        {record?.claude && <> · {formatCost(record.claude.cost_usd)}</>}
        {record?.cwd && <> · {record.cwd}</>}
        {record?.exit_code !== null && record?.exit_code !== undefined && (
          <> · exit {record.exit_code}</>
        )}
      </p>
      <div class="controls">
        <button
          type="button"
          data-testid="cancel"
          disabled={!running || busy}
          onClick={() => control("cancel")}
        >
          Cancel
        </button>
        {status === "paused" ? (
          <button
            type="button"
            data-testid="resume-execution"
            disabled={busy}
            onClick={() => control("resume")}
          >
            Resume
          </button>
        ) : (
          <button
            type="button"
            data-testid="pause"
            disabled={!running || busy}
            onClick={() => control("pause")}
          >
            Pause
          </button>
        )}
        <button
          type="button"
          data-testid="jump-to-end"
          onClick={() => terminal.current?.scrollToBottom()}
        >
          Jump to end
        </button>
        <label>
          <input
            type="checkbox"
            checked={follow}
            onChange={(event) => setFollow((event.target as HTMLInputElement).checked)}
          />{" "}
          follow
        </label>
        <form
          class="search"
          aria-label="search output"
          onSubmit={(event) => {
            event.preventDefault();
            setFound(terminal.current?.search.findNext(query) ?? false);
          }}
        >
          <input
            type="search"
            placeholder="Search output"
            aria-label="search output"
            data-testid="search"
            value={query}
            onInput={(event) => {
              setQuery((event.target as HTMLInputElement).value);
              setFound(null);
            }}
          />
          <button type="submit">Find</button>
          <button
            type="button"
            onClick={() => setFound(terminal.current?.search.findPrevious(query) ?? false)}
          >
            Previous
          </button>
          {found !== null && (
            <span class="muted" data-testid="search-result" aria-live="polite">
              {found ? "found" : "not found"}
            </span>
          )}
        </form>
      </div>
      {error && <p class="error">{error}</p>}
      {kind === "claude" && <TranscriptView items={items} />}
      <div class="terminal" ref={terminalBox} data-testid="terminal" />
    </section>
  );
}

/** As many columns as the box holds; a Claude run's raw stream-json gets fewer rows. */
function fitTerminal(view: TerminalView, box: HTMLElement, kind: string): void {
  const columns = Math.floor((box.clientWidth - 12) / CHAR_WIDTH_PX);
  const rows = window.innerWidth < 700 ? 16 : 28;
  view.resize(columns, kind === "claude" ? Math.min(rows, 12) : rows);
}

/** An execution only in history: its recorded output (head and tail when it was long). */
async function showRecorded(
  client: CcExecutorClient,
  executionId: string,
  take: (data: string, stream: "stdout") => void,
): Promise<void> {
  const { output } = await client.request("history.get", {
    execution_id: executionId,
    max_output_bytes: 4 * 1024 * 1024,
  });
  const decode = (text: string) =>
    output.encoding === "base64"
      ? new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))
      : text;
  take(decode(output.head), "stdout");
  if (output.omitted_bytes > 0)
    take(`\r\n[… ${output.omitted_bytes} bytes not shown …]\r\n`, "stdout");
  if (output.tail) take(decode(output.tail), "stdout");
}
