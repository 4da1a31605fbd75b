#!/usr/bin/env bash
# THE test command of the project: installs the test tools (cached per machine), builds the
# solution once, runs every test project, and ends with "N passed, N failed, N skipped".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tests/infra/lib.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS="${TEST_RESULTS_DIR:-$ROOT/TestResults}"
CONFIGURATION="${CONFIGURATION:-Debug}"

command -v dotnet >/dev/null || fail "dotnet (the .NET 10 SDK) is not installed; it comes with the machine image" tests/run.sh
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
bash tests/infra/install-all.sh

echo "building Personalize.Operator.sln ($CONFIGURATION)"
dotnet build Personalize.Operator.sln -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly \
  || fail "build failed (run: dotnet build Personalize.Operator.sln)" tests/run.sh

# The code style of .editorconfig; a drift counts as one failed test below, after the tests have run.
echo "checking formatting (dotnet format --verify-no-changes)"
format_status=0
dotnet format Personalize.Operator.sln --verify-no-changes --severity warn --no-restore || format_status=$?
[ "$format_status" -eq 0 ] || echo "formatting differs from .editorconfig (run: dotnet format Personalize.Operator.sln --severity warn)" >&2

rm -rf "$RESULTS"
set +e
# A hung test fails its test host after 20 minutes instead of eating the CI budget. The limit aborts the whole project,
# so it stays well above the slowest test beside the other projects: a few minutes, where one once ran past 10.
dotnet test Personalize.Operator.sln -c "$CONFIGURATION" --no-build --nologo \
  --results-directory "$RESULTS" --logger trx --logger "console;verbosity=normal" \
  --blame-hang-timeout 20m --blame-hang-dump-type none
status=$?
set -e

# Sum the counters of every project's .trx: failed includes errors, timeouts and aborts.
counter() { # counter NAME COUNTERS-ELEMENT -> the number, 0 when absent
  local n; n=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"); echo "${n:-0}"
}
passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  c=$(grep -o -m1 '<Counters [^>]*>' "$trx" || true)
  passed=$((passed + $(counter passed "$c")))
  failed=$((failed + $(counter failed "$c") + $(counter error "$c") + $(counter timeout "$c") + $(counter aborted "$c")))
  # Skipped tests show as total - executed (vstest leaves notExecuted at 0 for them).
  skipped=$((skipped + $(counter total "$c") - $(counter executed "$c")))
done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)

# A crashed or hung test host can leave counters that show no failure: count the run itself.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status (see $RESULTS)" >&2
  failed=1
fi
if [ "$format_status" -ne 0 ]; then
  failed=$((failed + 1))
fi
if [ "$files" -eq 0 ]; then
  echo "no test results found in $RESULTS" >&2
  failed=$((failed + 1))
fi
# Name what failed last, with the first lines of its message, where a CI log's tail shows it.
find "$RESULTS" -name '*.trx' -print0 2>/dev/null | xargs -0 -r python3 tests/infra/failed-tests.py || true
[ "$format_status" -eq 0 ] || echo "FAILED: formatting differs from .editorconfig (run: dotnet format Personalize.Operator.sln --severity warn)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
