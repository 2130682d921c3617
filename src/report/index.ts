import type { DiffRenderInput } from './diff-json.js';
import type { AnalyzeRenderInput, RenderContext } from './table.js';

export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type { AnalyzeRenderInput, DiffRenderInput, RenderContext };
export type Renderer<R> = (result: R, ctx: RenderContext) => string;

// Loaded on use: the table renderers pull in chalk and cli-table3, which a JSON run never needs
// (~60 ms of start-up on a big profile's critical path).
export const analyzeRenderers: Record<Format, () => Promise<Renderer<AnalyzeRenderInput>>> = {
  table: async () => (await import('./table.js')).renderAnalyzeTable,
  json: async () => (await import('./json.js')).renderAnalyzeJson,
  markdown: async () => (await import('./markdown.js')).renderAnalyzeMarkdown,
};

export const diffRenderers: Record<Format, () => Promise<Renderer<DiffRenderInput>>> = {
  table: async () => (await import('./diff-table.js')).renderDiffTable,
  json: async () => (await import('./diff-json.js')).renderDiffJson,
  markdown: async () => (await import('./diff-markdown.js')).renderDiffMarkdown,
};
