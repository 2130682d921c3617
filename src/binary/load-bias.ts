import { BinaryError } from '../errors.js';
import { printName } from '../go/names.js';
import type { Pclntab } from './pclntab.js';

/**
 * A frame a text profile's `#` line shows: `#	0x55c50a221573	main.buildGrown+0xb3	main.go:91`.
 * runtime/pprof prints runtime.Frame's PC (the return PC − 1), Function and PC − Entry.
 */
export interface ShownPc {
  readonly pc: number;
  /** "" when the writer had no name for the PC. */
  readonly function: string;
  /** From the function's entry; null when the line has none. */
  readonly offset: number | null;
}

/** Linux loads at page granularity (4 KiB, or a multiple), so a load bias is a whole number of pages. */
const PAGE = 4096;

/**
 * The load bias of the process that wrote a text profile: what to subtract from its PCs to get
 * the binary's addresses. The text has no mappings, but every `#` line says where its function
 * starts in the process (PC − offset); the binary says where it starts at link time. An ET_EXEC
 * is loaded at its link addresses (bias 0, nothing to read); a PIE anywhere. Only physical
 * functions count: runtime.Frame's Entry is the physical function's also for frames inlined into
 * it (1.19 runtime/symtab.go, Frames.Next), so an inlined frame's name says nothing about its
 * entry. Every counted frame must give the same page-aligned bias, and then every `#` offset must
 * fit the binary at that bias; otherwise the binary did not write the profile (a BinaryError).
 */
export function textLoadBias(table: Pclntab, pie: boolean, stacks: ReadonlyArray<readonly ShownPc[]>): number {
  if (!pie) return 0;
  const entries = entriesByPrintName(table);
  let first: { bias: number; frame: Named } | null = null;
  for (const frame of stacks.flatMap(physicalFrames)) {
    const entry = entries.get(frame.function);
    if (entry === undefined || entry === AMBIGUOUS) continue;
    const bias = frame.pc - frame.offset - entry;
    if (first === null) first = { bias, frame };
    if (bias !== first.bias) {
      const [one, other] = [`${hex(first.bias)} (${shown(first.frame)})`, `${hex(bias)} (${shown(frame)})`];
      throw mismatch(`its # lines give two load biases, ${one} and ${other}`);
    }
  }
  if (first === null) {
    // No named frame at all (an empty profile): nothing to go by; symbolizing checks that PCs are code.
    if (!stacks.some((s) => s.some(isNamed))) return 0;
    throw mismatch('none of the functions its # lines name is in the binary');
  }
  if (first.bias % PAGE !== 0) {
    const detail = `${hex(first.bias)} (${shown(first.frame)})`;
    throw mismatch(`its # lines give load bias ${detail}, not a whole number of pages`);
  }
  for (const stack of stacks) checkOffsets(table, stack, first.bias);
  return first.bias;
}

type Named = ShownPc & { readonly offset: number };
const isNamed = (f: ShownPc): f is Named => f.function !== '' && f.offset !== null;

/**
 * The frames of one stack that are physical functions, not inlined into the next: runtime.Callers
 * gives every inlined call a PC of its own in the physical function, innermost first, so the
 * frames of one physical function share PC − offset and the last of them is that function.
 */
function physicalFrames(stack: readonly ShownPc[]): Named[] {
  const named = stack.filter(isNamed);
  return named.filter((f, k) => k + 1 === named.length || named[k + 1].pc - named[k + 1].offset !== f.pc - f.offset);
}

const AMBIGUOUS = -1;

/**
 * Function entries by the name a text profile prints (printName: generic instantiations all print
 * as "pkg.F[...]"), AMBIGUOUS for a name more than one function has.
 */
function entriesByPrintName(table: Pclntab): Map<string, number> {
  const entries = new Map<string, number>();
  for (const { name, entry } of table.functions()) {
    const printed = name.includes('[') ? printName(name) : name;
    entries.set(printed, entries.has(printed) ? AMBIGUOUS : entry);
  }
  return entries;
}

/** Every offset of the stack, inlined frames' too, must be the distance from its function's entry at the bias. */
function checkOffsets(table: Pclntab, stack: readonly ShownPc[], bias: number): void {
  for (const frame of stack.filter(isNamed)) {
    const fn = table.findFunc(frame.pc - bias);
    if (fn === null) throw mismatch(`${shown(frame)} is outside its code`);
    const into = frame.pc - bias - fn.entry;
    if (into !== frame.offset) throw mismatch(`${shown(frame)} is ${hex(into)} bytes into its function in the binary`);
  }
}

const mismatch = (detail: string) => new BinaryError(`does not match the profile: ${detail}`);
const hex = (n: number) => `${n < 0 ? '-' : ''}0x${Math.abs(n).toString(16)}`;
const shown = (f: Named) => `${f.function}+${hex(f.offset)} at ${hex(f.pc)}`;
