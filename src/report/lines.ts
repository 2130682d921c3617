/**
 * lines.push(...more) for a list of any length. A spread passes every element as an argument: a
 * report of 200,000 sites (--top 0) would overflow the stack.
 */
export function append<T>(lines: T[], more: readonly T[]): void {
  for (const line of more) lines.push(line);
}
