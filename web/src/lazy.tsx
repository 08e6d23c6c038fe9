/**
 * A view loaded on first use (Preact without compat has no `lazy`): the terminal (xterm.js) and
 * the charts (uPlot) are most of the bundle, and the list the page opens on needs neither.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazyView<P extends object>(
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyView(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (component) return;
      load().then(
        (view) => {
          loaded = view;
          setComponent(() => view);
        },
        (failure: Error) => setError(failure.message),
      );
    }, [component]);
    if (error) return <p class="error">Could not load this view: {error}</p>;
    if (!component) return <p class="muted">Loading…</p>;
    const View = component;
    return <View {...props} />;
  };
}
