#!/usr/bin/env bash
# The fuzzing campaign: runs one fuzz target, a class of them, or all, in Jazzer's fuzzing mode
# (JAZZER_FUZZ=1), each until MINUTES have passed or RUNS executions are done, whichever is first.
#
#   bench/fuzz.sh [TARGET] [MINUTES]      TARGET: all (default), a class (NtfsFuzzTest) or
#                                         Class#method (NtfsFuzzTest#mftRecord); MINUTES: 20
#   RUNS=1000000     stop a target after this many executions (0: only the time limit)
#   HEAP=512m        the JVM heap cap: an input whose parse needs more is an OutOfMemoryError finding
#   FUZZ_MERGE=1     instead of fuzzing, minimise the target's corpus (libFuzzer -merge=1) into its
#                    committed inputs directory as corpus-<sha1>, beside its seeds and reproducers
#
# Each input also has the per-input time limit of the class's @Timeout (libFuzzer -timeout): a
# slower input is a finding. Findings (crash-*, timeout-*, slow-unit-*) are written into the
# target's inputs directory src/test/resources/io/vdetach/fuzz/<Class>Inputs/<method>/, where
# `mvn test` replays them with the committed seeds. The corpus grows in .cifuzz-corpus/ (not
# committed) and carries over from run to run. Logs and a summary line per run: target/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home
TARGETS=(Qcow2FuzzTest#qcow2 VhdFuzzTest#vhd VhdxFuzzTest#vhdx VmdkFuzzTest#sparse VmdkFuzzTest#streamOptimized
         VmdkFuzzTest#descriptor VdiFuzzTest#vdi VolumeFuzzTest#partitions VolumeFuzzTest#lvm VolumeFuzzTest#lvmText
         ExtFuzzTest#ext NtfsFuzzTest#volume NtfsFuzzTest#mftRecord NtfsFuzzTest#bootSector FatFuzzTest#fat
         ExfatFuzzTest#exfat XfsFuzzTest#xfs DecoderFuzzTest#lznt1 DecoderFuzzTest#xpressHuffman DecoderFuzzTest#lzx
         DecoderFuzzTest#zstd DecoderFuzzTest#compressedCluster EwfFuzzTest#ewf OvaFuzzTest#ova BitLockerFuzzTest#metadata VssFuzzTest#shadowCopies
         EwfFuzzTest#segments VmdkFuzzTest#seSparse)
want=${1:-all}
minutes=${2:-20}
runs=${RUNS:-1000000}
heap=${HEAP:-512m}
inputs=src/test/resources/io/vdetach/fuzz
logs=target/fuzz
mkdir -p "$logs"
selected=()
for t in "${TARGETS[@]}"; do
  [[ $want == all || $want == "${t%%#*}" || $want == "$t" ]] && selected+=("$t")
done
[ ${#selected[@]} -gt 0 ] || { echo "no fuzz target matches $want; targets: ${TARGETS[*]}" >&2; exit 2; }
mvn -q -o -B test-compile

for t in "${selected[@]}"; do
  class=${t%%#*} method=${t##*#}
  dir=$inputs/${class}Inputs/$method
  mkdir -p "$dir"
  log=$logs/$class.$method.log
  args=(-o -B test "-Dtest=io.vdetach.fuzz.$class#$method" -Dsurefire.failIfNoSpecifiedTests=false
        -Djunit.jupiter.execution.timeout.mode=disabled -Djazzer.internal.arg.0=fuzz)
  if [ -n "${FUZZ_MERGE:-}" ]; then
    # The named seeds (seed-*) and the reproducers (crash-*, timeout-*, slow-unit-*) always stay;
    # the grown corpus is cut to the files that add coverage beyond them (libFuzzer -merge=1 with
    # the seeds already in its output), committed as corpus-<sha1>, and made anew on each merge.
    merged=$logs/merged/$class.$method
    rm -rf "$merged"; mkdir -p "$merged"
    find "$dir" -maxdepth 1 -type f ! -name 'corpus-*' -exec cp {} "$merged" \;
    # the inner merge runs are this script's fuzz-inner.sh, given as libFuzzer's argv[0]
    args=("${args[@]/-Djazzer.internal.arg.0=fuzz/-Djazzer.internal.arg.0=$PWD/bench/fuzz-inner.sh}"
          "-Djazzer.internal.arg.1=$PWD/$merged" "-Djazzer.internal.arg.2=$PWD/.cifuzz-corpus/io.vdetach.fuzz.$class/$method"
          -Djazzer.internal.arg.3=-merge=1)
    echo "== $t: merging into $merged"
    kept=$(find "$merged" -type f | wc -l)
    FUZZ_TARGET="io.vdetach.fuzz.$class#$method" JAZZER_FUZZ=1 JAVA_TOOL_OPTIONS="-Xmx$heap" mvn "${args[@]}" > "$log.merge" 2>&1 || true
    if grep -aq 'MERGE-OUTER: successful' "$log.merge"; then
      find "$dir" -maxdepth 1 -type f -name 'corpus-*' -delete
      for f in "$merged"/*; do
        [ -e "$dir/$(basename "$f")" ] || cp "$f" "$dir/corpus-$(basename "$f")"
      done
      echo "   $kept seeds and reproducers, $(find "$dir" -maxdepth 1 -name 'corpus-*' | wc -l) corpus inputs (log $log.merge)"
    else
      echo "   merge failed, inputs left as they were (log $log.merge)"
    fi
    continue
  fi
  before=$(ls "$dir")
  start=$(date +%s)
  echo "== $t: fuzzing up to ${minutes} min / $runs runs (log $log)"
  JAZZER_FUZZ=1 JAVA_TOOL_OPTIONS="-Xmx$heap" mvn "${args[@]}" "-Djazzer.max_duration=${minutes}m" \
      "-Djazzer.max_executions=$runs" -Djazzer.keep_going=50 -Djazzer.internal.arg.1=-rss_limit_mb=3072 > "$log" 2>&1 || true
  wall=$(( $(date +%s) - start ))
  done_line=$(grep -a -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1)
  stats=$(grep -a -o '#[0-9]*[[:space:]]*[A-Z]*[[:space:]]*cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1)
  found=$(comm -13 <(echo "$before") <(ls "$dir") | tr '\n' ' ')
  line="$t	$(date -u +%FT%TZ)	$(git rev-parse --short HEAD)	wall ${wall}s	${done_line:-no Done line}	${stats:-no stats}	findings: ${found:-none}"
  echo "$line" | tee -a "$logs/summary.tsv"
done
