import { renderDiffJson, renderDiffMarkdown, renderDiffTable, type DiffRenderInput } from './diff-render.js';
import { renderAnalyzeJson } from './json.js';
import { renderAnalyzeMarkdown } from './markdown.js';
import { renderAnalyzeTable, type AnalyzeRenderInput, type RenderContext } from './table.js';

export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type { AnalyzeRenderInput, RenderContext };
export type { DiffRenderInput };
export type Renderer<R> = (result: R, ctx: RenderContext) => string;

export const analyzeRenderers: Record<Format, Renderer<AnalyzeRenderInput>> = {
  table: renderAnalyzeTable,
  json: renderAnalyzeJson,
  markdown: renderAnalyzeMarkdown,
};

export const diffRenderers: Record<Format, Renderer<DiffRenderInput>> = {
  table: renderDiffTable,
  json: renderDiffJson,
  markdown: renderDiffMarkdown,
};
