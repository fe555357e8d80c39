/** How the textbook commands print: through an injected writer, so tests read the lines without spawning a process. */

/** Receives one line of a command's output. */
export type Write = (line: string) => void;

/** The default writer: standard output. */
export const toConsole: Write = (line) => console.log(line);
