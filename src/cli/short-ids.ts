/**
 * Ids as terminal tables show them: the first SHORT_ID characters, or as many as make each
 * unique among the others (task steps' ids share their run's date prefix), so what is shown can
 * be typed back as a prefix to `history show`, `logs` or `cancel`.
 */
const SHORT_ID = 8;

/** Each of `ids` cut to SHORT_ID characters, or to as many as make it unique among `among`. */
export function shortestUniquePrefixes(ids: string[], among: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    let length = Math.min(SHORT_ID, id.length);
    while (length < id.length && among.some((o) => o !== id && o.startsWith(id.slice(0, length))))
      length++;
    out.set(id, id.slice(0, length));
  }
  return out;
}
