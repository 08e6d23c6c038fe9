/** One log record as a JSON line: shared by the operational log and the audit trail. */

/**
 * `head` first (level, time…), then `fields`, then `msg` when there is one. Keys listed in
 * `redactedKeys` are written as "[Redacted]"; Error values become `{type, message, stack}` plus
 * their own properties (e.g. `code`), since JSON.stringify would write `{}`.
 */
export function jsonLine(
  head: Record<string, unknown>,
  fields: object,
  msg: string | undefined,
  redactedKeys: readonly string[] = [],
): string {
  const record: Record<string, unknown> = { ...head };
  for (const [key, value] of Object.entries(fields)) {
    record[key] = redactedKeys.includes(key) ? "[Redacted]" : value;
  }
  if (msg !== undefined) record.msg = msg;
  return `${safeStringify(record)}\n`;
}

function safeStringify(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
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
