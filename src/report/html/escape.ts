/**
 * Text into HTML. Every user string of a report (function names hold `<`, `>`, `&` and quotes:
 * `main.(*T[go.shape.string]).Put`, `main.<script>…`) goes through one of these two.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * A value as JSON that can stand inside an inline `<script>` element: `<`, `>` and `&` as \u
 * escapes, so that neither `</script>` nor `<!--` can end or change the element, and U+2028 and
 * U+2029, which older JavaScript parsers take for line ends inside strings. JSON.parse reads it
 * back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
