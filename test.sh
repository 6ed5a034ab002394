#!/usr/bin/env bash
# Runs the whole suite: the same bootstrap as ./llmplan, then every test, then each benchmark once in dry mode.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
source "$root/scripts/bootstrap.sh"
llmplan_bootstrap "$root"
status=0
dotnet test "$root/tests/LlmPlan.Tests/LlmPlan.Tests.csproj" -c Release -nologo --logger "console;verbosity=normal" >"$root/.build/test.log" 2>&1 || status=$?
grep -vE '^\s+Passed |^\s*$' "$root/.build/test.log" || true
passed=$(sed -nE 's/^ +Passed: +([0-9]+)$/\1/p' "$root/.build/test.log" | tail -1)
failed=$(sed -nE 's/^ +Failed: +([0-9]+)$/\1/p' "$root/.build/test.log" | tail -1)
if [ "$status" -ne 0 ]; then
  echo "${passed:-0} passed, ${failed:-1} failed"
  exit "$status"
fi
echo "benchmarks: dry run of each (smoke test) ..."
dotnet run --project "$root/benchmarks/LlmPlan.Benchmarks" -c Release -- --filter '*' --job dry >"$root/.build/benchmarks.log" 2>&1 \
  || { tail -40 "$root/.build/benchmarks.log"; echo "benchmarks failed (log: .build/benchmarks.log)"; echo "${passed:-0} passed, 1 failed"; exit 1; }
echo "${passed:-0} passed, ${failed:-0} failed"
