#!/usr/bin/env bash
# The parser fuzz run: the fixed-seed property test of tests/Hostile.Tests (HostileTextInEveryParser)
# with LINES (default 200000) lines per format and sample: a sample line with one word replaced by
# generated attacker text (mixed scripts, bidi controls, every quote, CR/LF/NUL, 64 KiB fields). It
# checks that no line throws and that no attacker text names a client. CI runs 3,000 lines each.
# Usage: bench/parser-fuzz.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
export RELAYWATCH_PARSER_FUZZ_LINES="${1:-200000}"
dotnet build -v quiet tests/Hostile.Tests >/dev/null
start=$(date +%s)
status=0
dotnet test tests/Hostile.Tests --no-build --filter "FullyQualifiedName~HostileTextInEveryParser" 2>&1 | grep -aE "Passed!|Failed!|Failed |Error Message|blamed" || status=$?
echo "parser fuzz: $RELAYWATCH_PARSER_FUZZ_LINES lines x 7 samples in $(( $(date +%s) - start )) s"
exit "$status"
