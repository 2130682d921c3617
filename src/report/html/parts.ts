import type { NoteJson } from '../schema.js';
import { escapeHtml } from './escape.js';

/** The header's facts as a definition list; a fact without a value is left out. */
export function factsHtml(facts: ReadonlyArray<readonly [name: string, value: string | null]>): string {
  const items = facts.flatMap(([name, value]) =>
    value === null ? [] : [`<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`],
  );
  return `<dl class="facts">${items.join('')}</dl>`;
}

/** What a reader must know to trust the numbers (report/notes.ts), in the page rather than on stderr. */
export function notesHtml(notes: readonly NoteJson[]): string {
  return notes.map((n) => `<p class="note" data-code="${escapeHtml(n.code)}">${escapeHtml(n.message)}</p>`).join('\n');
}
