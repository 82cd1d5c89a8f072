#!/usr/bin/env bash
# Runs the engine's BenchmarkTransitions and aws-local-stepfunctions
# (testdata/alsf-bench.cjs) side by side on testdata/bench-10-states.asl.json,
# alternating, PAIRS times, each pinned to one core, and prints the median
# transitions per second of each and the median of the per-pair ratios.
# Usage (from the repository root): make bench-sfn [PAIRS=10] [CORE=0] [RUNS=3000]
set -euo pipefail
cd "$(dirname "$0")"
pairs=${PAIRS:-10}
core=${CORE:-0}
runs=${RUNS:-3000} # executions per aws-local-stepfunctions run
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/sfn.test" .
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for i in $(seq "$pairs"); do
  ours=$(taskset -c "$core" "$tmp/sfn.test" -test.run '^$' -test.bench '^BenchmarkTransitions$' -test.cpu 1 -test.benchtime 1s |
    awk '/transitions\/s/ {for (i = 1; i < NF; i++) if ($(i+1) == "transitions/s") print $i}')
  line=$(cd "$root" && taskset -c "$core" node infra/local/stepfunctions/testdata/alsf-bench.cjs \
    infra/local/stepfunctions/testdata/bench-10-states.asl.json "$runs")
  case $line in
  *'"output":{"state":"ConsentRequested"}'*) ;; # the output BenchmarkTransitions checks too
  *) echo "aws-local-stepfunctions: unexpected output: $line" >&2; exit 1 ;;
  esac
  theirs=$(sed -E 's/.*"transitionsPerSecond":([0-9]+).*/\1/' <<<"$line")
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')
  printf 'pair %2d: engine %8.0f  aws-local-stepfunctions %7d  ratio %s\n' "$i" "$ours" "$theirs" "$ratio"
  echo "$ours" >>"$tmp/ours"; echo "$theirs" >>"$tmp/theirs"; echo "$ratio" >>"$tmp/ratio"
done
printf 'median of %d pairs: engine %.0f transitions/s, aws-local-stepfunctions %.0f transitions/s, ratio %.2fx\n' \
  "$pairs" "$(median <"$tmp/ours")" "$(median <"$tmp/theirs")" "$(median <"$tmp/ratio")"
