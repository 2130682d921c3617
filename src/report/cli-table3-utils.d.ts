// The one cli-table3 internal table.ts uses: how wide it measures a cell, to give several tables one layout.
declare module 'cli-table3/src/utils.js' {
  const utils: { strlen(text: string): number };
  export default utils;
}
