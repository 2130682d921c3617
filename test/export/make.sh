#!/usr/bin/env bash
# Regenerates the exported profiles of test/export/ and what go tool pprof's own parser makes of
# them. Needs Go (any release with go tool pprof); the tests do not: they compare mapbloat's export
# with these files and read pprof's output as committed. Run after an intended change to the export.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build >/dev/null
out=test/export
go=$(command -v go)
node=$(command -v node)
export() { # name, then mapbloat analyze arguments
  local name=$1; shift
  # As the tests run it: no Go toolchain to ask for $GOROOT, so no standard-library source.
  env -i PATH=/usr/bin:/bin "$node" bin/mapbloat.js analyze "$@" --json --output-profile "$out/$name.maps.pb.gz" >/dev/null
  "$go" tool pprof -raw "$out/$name.maps.pb.gz" >"$out/$name.pprof-raw.txt" 2>/dev/null
  "$go" tool pprof -top -sample_index=alloc_space "$out/$name.maps.pb.gz" >"$out/$name.pprof-top.txt" 2>/dev/null
}
export go1.24-leak_4.heap.txt.binary fixtures/go1.24/leak_4.heap.txt --binary fixtures/go1.24/bin/leak.gz
export go1.24-leak_4.stock.source-path fixtures/go1.24/leak_4.pb.gz --source-path fixtures/src
