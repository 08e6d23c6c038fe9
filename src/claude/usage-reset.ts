/**
 * When a usage limit resets, from the CLI's text (docs/claude-cli.md): the current form
 * "You've hit your 5-hour limit · resets 9:58am (UTC)" and the older
 * "Claude AI usage limit reached|1750000000". The structured `rate_limit_event.resetsAt` is
 * preferred when the CLI prints one; this is the fallback.
 */

const EPOCH_FORM = /usage limit reached\|(\d{9,11})/i;
const CLOCK_FORM = /resets\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap]m)?\s*(?:\(([^)]+)\))?/i;

/** Minutes to add to UTC to get the local time of `timeZone` at `date` (null: unknown zone). */
function zoneOffsetMinutes(timeZone: string, date: Date): number | null {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    }).formatToParts(date);
  } catch {
    return null;
  }
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((asUtc - Math.floor(date.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The reset time the text names, as epoch seconds, or null. A clock time is the next moment
 * with that wall-clock time in the named zone (UTC when none is named) after `nowMs`.
 */
export function usageResetFromText(text: string, nowMs: number = Date.now()): number | null {
  const epoch = EPOCH_FORM.exec(text);
  if (epoch?.[1]) return Number(epoch[1]);
  const clock = CLOCK_FORM.exec(text);
  if (!clock?.[1]) return null;
  let hour = Number(clock[1]);
  const minute = Number(clock[2] ?? 0);
  const meridiem = clock[3]?.toLowerCase();
  if (meridiem === "pm" && hour < 12) hour += 12;
  if (meridiem === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  const zone = clock[4]?.trim() || "UTC";
  const now = new Date(nowMs);
  const offset = zoneOffsetMinutes(zone, now);
  if (offset === null) return null;
  // Today's date in that zone, at the named wall-clock time, converted back to UTC.
  const local = new Date(nowMs + offset * 60_000);
  let resetMs =
    Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) -
    offset * 60_000;
  if (resetMs <= nowMs) resetMs += 24 * 3600 * 1000;
  return Math.floor(resetMs / 1000);
}
