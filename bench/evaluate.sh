#!/usr/bin/env bash
# The detectors measured against ground truth: a 7-day simulation with a seed that no test uses,
# ingested into a store of its own, detected, and scored per detector (precision, recall, findings
# on typo senders, per shape). Usage: bench/evaluate.sh [DAYS] [SCALE] [SEED] [WORLD: classic|harder] [WARMUP] [VENDOR]
# VENDOR (postfix, exim, esa, sendmail, exchange) sends the whole world to that vendor's relay.
# WARMUP days are simulated before the scored days as history only (default 7 in the harder world, whose
# snowshoe and spoofing rules need a store that has been running; 0 in the classic one).
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-7}"
scale="${2:-1}"
seed="${3:-7919}"
world="${4:-classic}"
if [[ "$world" == harder ]]; then warmup="${5:-7}"; else warmup="${5:-0}"; fi
vendor=()
if [[ -n "${6:-}" ]]; then vendor=(--vendor "$6"); fi
work="$(mktemp -d -t relaywatch-evaluate.XXXXXX)"
trap 'rm -rf "$work"' EXIT
dotnet build -c Release -v quiet src/Cli >/dev/null
relaywatch=(dotnet src/Cli/bin/Release/net10.0/relaywatch.dll)
"${relaywatch[@]}" simulate --world "$world" --days "$days" --warmup "$warmup" "${vendor[@]}" --start 2026-10-05 --seed "$seed" --scale "$scale" --out "$work/sim" >/dev/null
/usr/bin/time -f "evaluate: %e s, peak RSS %M KiB" "${relaywatch[@]}" --data "$work/store" evaluate "$work/sim" | sed -n '/^detector .*expected/,$p'
