#!/usr/bin/env bash
# The export fuzz run: the fixed-seed property test of tests/Hostile.Tests
# (HostileTextInEveryExportFormat) for many rounds, each 24 entries of generated attacker text through
# every export format and the tool that reads it (postmap, rbldnsd, nft, PowerShell's parser, a CSV
# and a JSON reader). CI runs 3 rounds; this runs ROUNDS (default 200) with SEED (default: the
# test's fixed seed). Usage: bench/export-fuzz.sh [ROUNDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export RELAYWATCH_EXPORT_FUZZ_ROUNDS="${1:-200}"
if [ -n "${2:-}" ]; then export RELAYWATCH_EXPORT_FUZZ_SEED="$2"; fi
work="$(mktemp -d -t relaywatch-export-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
dotnet build -v quiet tests/Hostile.Tests >/dev/null
# The test's own summary line (seed, rounds, entries, hostile characters, time) is in the TRX log's output.
status=0
dotnet test tests/Hostile.Tests --no-build --filter "FullyQualifiedName~HostileTextInEveryExportFormat" \
  --results-directory "$work" --logger "trx;LogFileName=fuzz.trx" > "$work/console.txt" 2>&1 || status=$?
grep -oE "seed [0-9]+: [^<]*" "$work/fuzz.trx" || true
grep -E "Seed [0-9]+, round|Passed!|Failed!" "$work/console.txt"
exit "$status"
