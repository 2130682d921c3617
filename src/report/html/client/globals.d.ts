// The browser code's one global from outside client/: uPlot, inlined before it in the diff page.
declare const uPlot: typeof import('uplot');
