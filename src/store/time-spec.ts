/**
 * `since` values: epoch seconds (number or digits), an ISO 8601 time, or — for people at the
 * CLI — an age such as `90m`, `12h`, `7d`. Returns epoch milliseconds, or null when unreadable.
 */
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function parseSince(value: string | number, nowMs = Date.now()): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1000) : null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number.parseFloat(text) * 1000);
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (age) {
    const unit = UNIT_MS[(age[2] as string).toLowerCase()] as number;
    return nowMs - Math.round(Number.parseFloat(age[1] as string) * unit);
  }
  // Only full dates: Date.parse accepts odd strings ("1", "May") that would surprise.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
