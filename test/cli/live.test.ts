import { describe, expect, it } from 'vitest';
import { LiveView, screenRows } from '../../src/cli/live.js';

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
});
