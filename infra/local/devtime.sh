#!/usr/bin/env bash
# Times `make dev` from its start to the local cloud's "is ready" line, on
# ports of its own (so a running `make dev` does not disturb it), then stops
# it. Cold (a fresh clone, empty Go and npm caches) it includes `npm ci` and
# every build; warm, only the start. Usage (from the repository root):
#   make dev-time [DEV_TIME_ADDR=127.0.0.1:18080] [DEV_TIME_SES=127.0.0.1:18005]
set -euo pipefail
addr=${DEV_TIME_ADDR:-127.0.0.1:18080}
ses=${DEV_TIME_SES:-127.0.0.1:18005}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s.%N)
setsid make --no-print-directory dev DEV_FLAGS="-addr $addr -ses-addr $ses" >"$log" 2>&1 </dev/null &
pid=$!
stop() { kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
until grep -q "is ready" "$log"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "make dev stopped before it was ready:" >&2
		tail -20 "$log" >&2
		exit 1
	fi
	sleep 0.1
done
end=$(date +%s.%N)
stop
awk -v s="$start" -v e="$end" 'BEGIN { printf "make dev was ready after %.1f s\n", e - s }'
