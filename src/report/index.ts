import type { AnalyzeResult } from '../analysis/analyze.js';
import { renderAnalyzeJson } from './json.js';
import { renderAnalyzeMarkdown } from './markdown.js';
import { renderAnalyzeTable, type RenderContext } from './table.js';

export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type { RenderContext };
export type Renderer<R> = (result: R, ctx: RenderContext) => string;

export const analyzeRenderers: Record<Format, Renderer<AnalyzeResult>> = {
  table: renderAnalyzeTable,
  json: (result, ctx) => renderAnalyzeJson(result, ctx.source),
  markdown: (result, ctx) => renderAnalyzeMarkdown(result, ctx.source),
};
