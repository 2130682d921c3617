import { describe, expect, it } from 'vitest';
import { fitRows, LiveView, screenRows } from '../../src/cli/live.js';

describe('the live view', () => {
  it('counts screen rows: a long line wraps, colour codes take no room, an empty line is a row', () => {
    expect(screenRows('\u001b[1mabcd\u001b[22m\n\nabcde\n', 4)).toBe(4);
    expect(screenRows('abcd\nabcde\n', null)).toBe(2);
    expect(screenRows('█▂▃▅\n', 4)).toBe(1);
  });

  it('moves up over the last view and clears below before each draw, and once more to clear', () => {
    let out = '';
    const view = new LiveView({ write: (text) => void (out += text) }, () => 4);
    view.draw('one\n');
    view.draw('abcdef\n');
    view.clear();
    view.clear();
    expect(out).toBe('one\n\r\u001b[1A\u001b[Jabcdef\n\r\u001b[2A\u001b[J');
  });

  it('cuts a view taller than the terminal to its height less the cursor row, saying how much is below', () => {
    const text = 'a\nb\nc\nd\ne\nf\n';
    expect(fitRows(text, 80, 10)).toBe(text);
    expect(fitRows(text, 80, 6)).toBe('a\nb\nc\nd\n… 2 more lines (in the final report)\n');
    // A wrapped line takes its rows: "abcdef" is two at width 4.
    expect(fitRows('abcdef\nb\nc\nd\n', 4, 4)).toBe('abcdef\n… 3 more lines (in the final report)\n');
    let out = '';
    const view = new LiveView(
      { write: (t) => void (out += t) },
      () => 80,
      () => 4,
    );
    view.draw(text);
    view.draw('x\n');
    expect(out).toBe('a\nb\n… 4 more lines (in the final report)\n\r\u001b[3A\u001b[Jx\n');
  });
});
