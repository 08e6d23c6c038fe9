/**
 * A dynamic import made once: later calls share the first load. For parts of the server loaded on
 * first use (docs/architecture.md, "Loaded on first use").
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}
