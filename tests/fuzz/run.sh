#!/usr/bin/env bash
# make fuzz: runs every fuzz target for SECONDS (default 60) each, seeded from fixtures/, and
# prints one line per target: runs, coverage, and whether it crashed. A crash leaves its input in
# tests/fuzz/artifacts/<target>/ (to become a regression test) and makes this script fail.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
targets=${FUZZ_TARGETS:-ini duration arn xml cache args tz policy sso login}
corpora=target/fuzz-corpus

seed() { # target, files...
  local dir=$corpora/$1; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"; done
}
seed ini fixtures/config fixtures/chain.config fixtures/chain.credentials extras/config.sample
seed duration fixtures/fuzz/duration/*
seed arn fixtures/fuzz/arn/*
seed xml fixtures/*.xml
seed cache fixtures/cache_go1x.json
seed args fixtures/fuzz/args/*
seed tz fixtures/Europe_Berlin.tzif fixtures/fuzz/tz/*
seed policy fixtures/fuzz/policy/*
seed sso fixtures/fuzz/sso/*
seed login fixtures/fuzz/login/*

failed=0
summary=()
for t in $targets; do
  log=target/fuzz-$t.log
  echo "fuzz: $t for ${seconds}s" >&2
  cargo +nightly fuzz run --fuzz-dir tests/fuzz "$t" "$corpora/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  corpus=$(ls "$corpora/$t" | wc -l)
  if [ $status -ne 0 ]; then
    failed=1
    summary+=("$t: CRASH or error (exit $status), see $log and tests/fuzz/artifacts/$t/")
  else
    summary+=("$t: ${runs:-?} runs in ${seconds}s, $cov, corpus $corpus, no crash")
  fi
done
printf '%s\n' "${summary[@]}"
exit $failed
