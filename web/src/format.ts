/** Small formatting helpers shared by the views. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "–";
  return `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function elapsedMs(
  from: string | null,
  to: string | null,
  nowMs = Date.now(),
): number | null {
  if (!from) return null;
  const start = Date.parse(from);
  const end = to ? Date.parse(to) : nowMs;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

/** A UUID by its first 8 characters; a longer id of another form (a task step's) by its end. */
export function shortId(id: string): string {
  if (UUID.test(id)) return id.slice(0, 8);
  return id.length > 14 ? `…${id.slice(-12)}` : id;
}

export function formatTime(iso: string | null): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

const FINAL = new Set(["completed", "failed", "canceled", "timed_out", "interrupted"]);

export function isFinal(status: string): boolean {
  return FINAL.has(status);
}
