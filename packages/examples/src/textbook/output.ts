/** How the textbook commands print: through an injected writer, so tests read the lines without spawning a process. */

/** Receives one line of a command's output. */
export type Write = (line: string) => void;

/** The default writer: standard output. */
export const toConsole: Write = (line) => console.log(line);

/**
 * Lets a flag take an optional value (`--explain` or `--explain markdown`): when the next argument is missing
 * or is another flag, `fallback` is inserted, so node's strict parser can treat it as a string flag.
 */
export function withOptionalValue(args: readonly string[], flag: string, fallback: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    out.push(args[i]);
    if (args[i] === flag && (i + 1 >= args.length || args[i + 1].startsWith('--'))) out.push(fallback);
  }
  return out;
}
