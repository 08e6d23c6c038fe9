/** Hash routes (`#/exec/<id>`): no server routes beyond `/`, and back/forward work. */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { view: "executions"; page: number }
  | { view: "execution"; id: string }
  | { view: "new" }
  | { view: "tasks"; runId: string | null }
  | { view: "history" }
  | { view: "health" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodedOrEmpty);
  switch (parts[0]) {
    case "exec":
      return parts[1] ? { view: "execution", id: parts[1] } : { view: "executions", page: 0 };
    case "new":
      return { view: "new" };
    case "tasks":
      return { view: "tasks", runId: parts[1] || null };
    case "history":
      return { view: "history" };
    case "health":
      return { view: "health" };
    default:
      return { view: "executions", page: Number(parts[1]) || 0 };
  }
}

/** A malformed escape (`#/exec/%E0`) names nothing: the list, not a blank page. */
function decodedOrEmpty(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return "";
  }
}

export function href(route: Route): string {
  switch (route.view) {
    case "execution":
      return `#/exec/${encodeURIComponent(route.id)}`;
    case "tasks":
      return route.runId ? `#/tasks/${encodeURIComponent(route.runId)}` : "#/tasks";
    case "executions":
      return route.page ? `#/executions/${route.page}` : "#/";
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
