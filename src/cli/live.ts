import type { OutStream } from './io.js';

/**
 * A block of text redrawn in place on a terminal: each draw moves the cursor back up over the
 * last one and clears from there down, so the screen shows one current view, not a scroll of them.
 * A view taller than the terminal is cut to fit: the cursor cannot move up past the screen's top
 * row, and what scrolled off would stay behind in the scrollback at every redraw.
 */
export class LiveView {
  #rows = 0;

  constructor(
    private readonly out: OutStream,
    /** The terminal's width, read at each draw (it may be resized); null when unknown. */
    private readonly width: () => number | null,
    /** The terminal's height, read at each draw; null when unknown. */
    private readonly height: () => number | null = () => null,
  ) {}

  /** text ends with a newline. */
  draw(text: string): void {
    const shown = fitRows(text, this.width(), this.height());
    this.out.write(`${this.#erase()}${shown}`);
    this.#rows = screenRows(shown, this.width());
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

/**
 * The text cut to the terminal's height less one row (the cursor's, after the last newline): its
 * first lines, then one saying how many more the final report shows.
 */
export function fitRows(text: string, width: number | null, height: number | null): string {
  if (height === null || height < 3 || screenRows(text, width) < height) return text;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept: string[] = [];
  let rows = 0;
  for (const line of lines) {
    const need = screenRows(`${line}\n`, width);
    if (rows + need > height - 2) break;
    kept.push(line);
    rows += need;
  }
  const more = lines.length - kept.length;
  // Short enough for the narrowest terminal mapbloat lays out for (40 columns): one row.
  return `${kept.join('\n')}\n… ${more} more line${more === 1 ? '' : 's'} (in the final report)\n`;
}
