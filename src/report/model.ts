import type { AnalyzeResult } from '../analysis/analyze.js';
import type { DiffResult } from '../analysis/diff.js';
import { gateInferred, type Breach, type Gate } from '../analysis/gate.js';
import type { MapStacks } from '../analysis/map-stacks.js';
import { displayFunction, siteLocation } from './format.js';
import { analyzeNotes, diffNotes } from './notes.js';
import { formatDelta, formatDeltaPercent } from './phrases.js';
import type { NoteJson } from './schema.js';

/**
 * What every renderer of a command starts from, computed once per run: the analysis, the notes a
 * reader needs to trust it and, for diff, the gate's verdict with its messages. Renderers (table,
 * markdown, json, html) only lay it out.
 */
export interface AnalyzeModel {
  readonly result: AnalyzeResult;
  readonly notes: readonly NoteJson[];
  /** The map samples' stacks for the flame graph: computed only for a renderer that draws it (HTML). */
  readonly stacks: MapStacks | null;
}

export interface DiffModel {
  readonly diff: DiffResult;
  readonly gate: GateOutcome;
  readonly notes: readonly NoteJson[];
  /** One line per breach, as printed on stderr. */
  readonly breaches: readonly string[];
}

/** The thresholds given and what exceeded them. */
export interface GateOutcome extends Gate {
  readonly breaches: readonly Breach[];
}

export function analyzeModel(result: AnalyzeResult, stacks: MapStacks | null = null): AnalyzeModel {
  return { result, notes: analyzeNotes(result), stacks };
}

export function diffModel(diff: DiffResult, gate: GateOutcome): DiffModel {
  const inferred = gateInferred(diff) ? ' (inferred from the source: see the note)' : '';
  return {
    diff,
    gate,
    notes: diffNotes(diff),
    breaches: gate.breaches.map((b) => `${breachMessage(b, diff)}${inferred}`),
  };
}

function breachMessage(b: Breach, diff: DiffResult): string {
  const type = diff.snapshots[0].profile.sampleTypes[diff.sampleIndex];
  const growth = `${formatDelta(b.delta, type)} (${formatDeltaPercent(b.first, b.delta)})`;
  const what =
    b.site === null
      ? `map ${type.type} grew ${growth}`
      : `${displayFunction(b.site.function)} (${siteLocation(b.site)}) ${type.type} grew ${growth}`;
  return `${what}, more than ${b.option} ${b.threshold.text}`;
}
