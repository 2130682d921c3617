import type { OutStream } from './io.js';

/**
 * A block of text redrawn in place on a terminal: each draw moves the cursor back up over the
 * last one and clears from there down, so the screen shows one current view, not a scroll of them.
 */
export class LiveView {
  #rows = 0;

  constructor(
    private readonly out: OutStream,
    /** The terminal's width, read at each draw (it may be resized); null when unknown. */
    private readonly width: () => number | null,
  ) {}

  /** text ends with a newline. */
  draw(text: string): void {
    this.out.write(`${this.#erase()}${text}`);
    this.#rows = screenRows(text, this.width());
  }

  /** Removes the view: what is printed next takes its place. */
  clear(): void {
    this.out.write(this.#erase());
    this.#rows = 0;
  }

  #erase(): string {
    // To the first column, up over the view, clear to the end of the screen.
    return this.#rows === 0 ? '' : `\r\u001b[${this.#rows}A\u001b[J`;
  }
}

/** Terminal rows the text takes: a line longer than the terminal wraps onto more than one. */
export function screenRows(text: string, width: number | null): number {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let rows = 0;
  for (const line of lines) {
    // Colour codes take no room on the screen.
    const visible = [...line.replace(/\u001b\[[0-9;]*m/g, '')].length;
    rows += width === null || visible === 0 ? 1 : Math.ceil(visible / width);
  }
  return rows;
}
