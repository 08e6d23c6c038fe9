/**
 * `run`'s words as one shell command line. One word is a command line as typed
 * (`run 'make && make test'`); several are argv, as for sudo, nohup or timeout, so each is
 * quoted where the shell would otherwise split or expand it: `run sh -c 'echo a; echo b'` runs
 * exactly that, not `sh -c echo a; echo b`.
 */
const PLAIN_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

export function commandLine(words: readonly string[]): string {
  if (words.length === 1) return words[0] ?? "";
  return words.map(shellQuoted).join(" ");
}

function shellQuoted(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  // Inside single quotes nothing is special but the quote itself: end, escape it, reopen.
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
