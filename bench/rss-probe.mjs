// Preloaded into a measured node process (node --import): writes its peak RSS, in bytes, to the
// file named by MAPBLOAT_BENCH_RSS when it exits. Works where GNU time is not installed.
import { writeFileSync } from 'node:fs';

const out = process.env.MAPBLOAT_BENCH_RSS;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
