#!/usr/bin/env bash
# Runs the engine's BenchmarkTransitions and aws-local-stepfunctions
# (testdata/alsf-bench.cjs) side by side on testdata/bench-10-states.asl.json,
# alternating, PAIRS times, each pinned to one core, and prints the median
# transitions per second of each and the median of the per-pair ratios, by
# wall time and by CPU time (which other processes on the core disturb less).
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
metric() { awk -v unit="$1" '{for (i = 2; i <= NF; i++) if ($i == unit) print $(i-1)}'; }
field() { sed -E "s/.*\"$1\":([0-9]+).*/\\1/"; }
for i in $(seq "$pairs"); do
  go_line=$(taskset -c "$core" "$tmp/sfn.test" -test.run '^$' -test.bench '^BenchmarkTransitions$' -test.cpu 1 -test.benchtime 1s | grep '^BenchmarkTransitions')
  node_line=$(cd "$root" && taskset -c "$core" node infra/local/stepfunctions/testdata/alsf-bench.cjs \
    infra/local/stepfunctions/testdata/bench-10-states.asl.json "$runs")
  case $node_line in
  *'"output":{"state":"ConsentRequested"}'*) ;; # the output BenchmarkTransitions checks too
  *) echo "aws-local-stepfunctions: unexpected output: $node_line" >&2; exit 1 ;;
  esac
  ours=$(metric transitions/s <<<"$go_line") ours_cpu=$(metric transitions/cpu-s <<<"$go_line")
  theirs=$(field transitionsPerSecond <<<"$node_line") theirs_cpu=$(field transitionsPerCpuSecond <<<"$node_line")
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')
  ratio_cpu=$(awk -v a="$ours_cpu" -v b="$theirs_cpu" 'BEGIN {printf "%.2f", a / b}')
  printf 'pair %2d: engine %7.0f/s %7.0f/cpu-s  aws-local-stepfunctions %6d/s %6d/cpu-s  ratio %5sx wall %5sx cpu\n' \
    "$i" "$ours" "$ours_cpu" "$theirs" "$theirs_cpu" "$ratio" "$ratio_cpu"
  echo "$ours" >>"$tmp/ours"; echo "$theirs" >>"$tmp/theirs"; echo "$ratio" >>"$tmp/ratio"
  echo "$ours_cpu" >>"$tmp/ours_cpu"; echo "$theirs_cpu" >>"$tmp/theirs_cpu"; echo "$ratio_cpu" >>"$tmp/ratio_cpu"
done
printf 'median of %d pairs, wall time: engine %.0f transitions/s, aws-local-stepfunctions %.0f transitions/s, ratio %.2fx\n' \
  "$pairs" "$(median <"$tmp/ours")" "$(median <"$tmp/theirs")" "$(median <"$tmp/ratio")"
printf 'median of %d pairs, CPU time:  engine %.0f transitions/cpu-s, aws-local-stepfunctions %.0f transitions/cpu-s, ratio %.2fx\n' \
  "$pairs" "$(median <"$tmp/ours_cpu")" "$(median <"$tmp/theirs_cpu")" "$(median <"$tmp/ratio_cpu")"
