/**
 * The dashboard shell: opens the connection (the session cookie authenticates it), shows the
 * login notice when it is refused, and otherwise a header with the views.
 */
import { useEffect, useState } from "preact/hooks";
import { type CcExecutorClient, openConnection } from "./connection.js";
import { ExecutionsList } from "./executions-list.js";
import { HealthView } from "./health-view.js";
import { lazyView } from "./lazy.js";
import { NewRun } from "./new-run.js";
import { href, type Route, useRoute } from "./router.js";
import { TaskRuns } from "./task-runs.js";

const ExecutionView = lazyView(async () => (await import("./execution-view.js")).ExecutionView);
const HistoryView = lazyView(async () => (await import("./history-view.js")).HistoryView);

type LinkState = "connecting" | "open" | "reconnecting" | "closed";

const NAV: Array<{ label: string; route: Route }> = [
  { label: "Executions", route: { view: "executions", page: 0 } },
  { label: "Start", route: { view: "new" } },
  { label: "Task runs", route: { view: "tasks", runId: null } },
  { label: "History", route: { view: "history" } },
  { label: "Health", route: { view: "health" } },
];

export function App() {
  const [client, setClient] = useState<CcExecutorClient | null>(null);
  const [link, setLink] = useState<LinkState>("connecting");
  const route = useRoute();

  useEffect(() => {
    let opened: CcExecutorClient | null = null;
    void openConnection().then((connected) => {
      if (!connected) {
        setLink("closed");
        return;
      }
      opened = connected;
      connected.rpc.onDisconnect(() => setLink("reconnecting"));
      connected.rpc.onReconnect(() => setLink("open"));
      connected.rpc.onClose(() => setLink("closed"));
      setClient(connected);
      setLink("open");
    });
    return () => opened?.close();
  }, []);

  if (link === "connecting") return <p class="notice">Connecting…</p>;
  if (!client) return <LoginRequired />;
  if (link === "closed")
    return (
      <LoginRequired lost="The connection to the server was lost and could not be restored." />
    );

  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/">
          cc-executor
        </a>
        <nav>
          {NAV.map((item) => (
            <a
              key={item.label}
              href={href(item.route)}
              aria-current={item.route.view === currentTab(route) ? "page" : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span class={`link link-${link}`} data-testid="link-state" title="connection">
          {link}
        </span>
        {/* A plain form, no script: the server ends the session and sends the page to `/`. */}
        <form method="post" action="/logout" class="logout">
          <button type="submit" data-testid="logout">
            Log out
          </button>
        </form>
      </header>
      <main>{renderRoute(route, client)}</main>
    </div>
  );
}

function currentTab(route: Route): Route["view"] {
  return route.view === "execution" ? "executions" : route.view;
}

function renderRoute(route: Route, client: CcExecutorClient) {
  switch (route.view) {
    case "executions":
      return <ExecutionsList client={client} page={route.page} />;
    case "execution":
      return <ExecutionView key={route.id} client={client} executionId={route.id} />;
    case "new":
      return <NewRun client={client} />;
    case "tasks":
      return <TaskRuns client={client} openRunId={route.runId} />;
    case "history":
      return <HistoryView client={client} />;
    case "health":
      return <HealthView client={client} />;
  }
}

function LoginRequired({ lost }: { lost?: string }) {
  return (
    <div class="notice" data-testid="login-required">
      <h1>cc-executor dashboard</h1>
      {lost && <p>{lost}</p>}
      <p>
        Open the URL that <code>cc-executor dashboard</code> prints.
      </p>
      <p class="muted">
        Each link works once, for 5 minutes; the session it starts lasts a day, or until the server
        restarts.
      </p>
    </div>
  );
}
