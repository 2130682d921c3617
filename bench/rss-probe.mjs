// Preloaded into a measured node process (node --import): writes its peak RSS, in bytes, to the
// file named by MAPBLOAT_BENCH_RSS when it exits. Works where GNU time is not installed.
//
// Linux: VmHWM, the high-water mark of this process's own memory since its exec. getrusage's
// maxRSS is no use there: it carries over the parent's RSS at fork, so every case measured
// after the bench had grown (generating the scaled profiles) read as the bench's own size.
import { readFileSync, writeFileSync } from 'node:fs';

function peakRss() {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm !== null) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

const out = process.env.MAPBLOAT_BENCH_RSS;
if (out) process.on('exit', () => writeFileSync(out, String(peakRss())));
