#!/usr/bin/env bash
# libFuzzer's argv[0] while bench/fuzz.sh minimises a corpus (FUZZ_MERGE=1): libFuzzer's -merge=1
# runs the inputs in child processes started as argv[0] with its own arguments. Under JUnit there is
# no fuzzer binary, so this runs the target named in $FUZZ_TARGET again with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-o -q -B surefire:test "-Dtest=$FUZZ_TARGET" -Dsurefire.failIfNoSpecifiedTests=false
      -Djunit.jupiter.execution.timeout.mode=disabled "-Djazzer.internal.arg.0=$0")
i=1
for a in "$@"; do args+=("-Djazzer.internal.arg.$i=$a"); i=$((i + 1)); done
JAZZER_FUZZ=1 mvn "${args[@]}" || true
