import type { AnalyzeModel, DiffModel } from './model.js';

export const FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderContext {
  /** ANSI colours: the CLI decides (a TTY, no NO_COLOR, no --no-color, not JSON). */
  readonly color: boolean;
  /** The terminal's width in columns, a table is fitted to it; null when unknown (a pipe). */
  readonly width: number | null;
}

/** One output format: a pure function per command, from the model to the text printed. */
export interface Renderers {
  readonly analyze: (model: AnalyzeModel, ctx: RenderContext) => string;
  readonly diff: (model: DiffModel, ctx: RenderContext) => string;
}

// Loaded on use: the table renderers pull in chalk and cli-table3, which a JSON run never needs
// (~60 ms of start-up on a big profile's critical path).
export const renderers: Record<Format, () => Promise<Renderers>> = {
  table: async () => {
    const m = await import('./table.js');
    return { analyze: m.renderAnalyzeTable, diff: m.renderDiffTable };
  },
  json: async () => {
    const m = await import('./json.js');
    return { analyze: m.renderAnalyzeJson, diff: m.renderDiffJson };
  },
  markdown: async () => {
    const m = await import('./markdown.js');
    return { analyze: m.renderAnalyzeMarkdown, diff: m.renderDiffMarkdown };
  },
  html: async () => {
    const m = await import('./html.js');
    return { analyze: m.renderAnalyzeHtml, diff: m.renderDiffHtml };
  },
};
