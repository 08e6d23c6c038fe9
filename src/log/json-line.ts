/** One log record as a JSON line: shared by the operational log and the audit trail. */

/**
 * `head` first (level, time…), then `fields`, then `msg` when there is one. A key in
 * `redactedKeys` (lower case; matched without regard to case) is written as "[Redacted]" at any
 * depth, inside arrays and errors too: a caller that logs a whole request or options object must
 * not leak the token or env inside it. Error values become `{type, message, stack}` plus their
 * own properties (e.g. `code`), since JSON.stringify would write `{}`.
 */
export function jsonLine(
  head: Record<string, unknown>,
  fields: object,
  msg: string | undefined,
  redactedKeys: ReadonlySet<string> = new Set(),
): string {
  const record: Record<string, unknown> = { ...head, ...fields };
  if (msg !== undefined) record.msg = msg;
  return `${safeStringify(record, redactedKeys)}\n`;
}

function safeStringify(record: Record<string, unknown>, redactedKeys: ReadonlySet<string>): string {
  const seen = new WeakSet<object>();
  // The replacer sees every key JSON.stringify writes, at every depth (array items by index).
  return JSON.stringify(record, (key, value: unknown) => {
    if (redactedKeys.size > 0 && redactedKeys.has(key.toLowerCase())) return "[Redacted]";
    if (typeof value === "bigint") return value.toString();
    if (typeof value !== "object" || value === null) return value;
    // A cycle must not turn a log call into a thrown error.
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
    return value instanceof Error ? errorFields(value) : value;
  });
}

function errorFields(error: Error): Record<string, unknown> {
  return {
    type: error.name,
    message: error.message,
    stack: error.stack,
    ...Object.fromEntries(Object.entries(error)),
  };
}
