#!/usr/bin/env bash
# Issue 21 benchmark: `vdetach dump --volume` of a BitLocker AES-XTS-128 volume (decrypting every
# sector) against `openssl speed -evp aes-128-xts` on the same machine. The volume is made from the
# corpus' bitlk-aes-xts-128 (password "anaconda"): SIZE MiB of random data with its metadata put back
# and its encrypted size raised (BitLockerBenchVolume). OUT goes to /dev/shm so the host disk's
# write speed is not what is measured; the volume is read from the page cache (warmed first).
# The end-to-end peer is bench/openssl-xts-sectors.c: the same read-decrypt-write job done by
# OpenSSL's EVP in C, one thread (`openssl enc` refuses XTS; this kernel has no device-mapper, so
# no dm-crypt either). BEFORE=DIR (another checkout) runs its ./vdetach too, interleaved.
#   usage: [BEFORE=DIR] bench/bitlocker-dump.sh [SIZE_MIB]   (default 2048)
SCRATCH=${SCRATCH:-/var/tmp/vdetach-bench-bitlocker}
source "$(dirname "$0")/lib.sh"
SIZE=${1:-2048}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
tar -xJf "$REPO/../shared/testdata/cryptsetup-bitlk/bitlk-images.tar.xz" -C "$SCRATCH"
img=$SCRATCH/big-xts.img
out=/dev/shm/vdetach-bench-bitlocker.raw
trap 'rm -f "$out"; cleanup' EXIT
(cd "$REPO" && source scripts/java-home && mvn -q -o test-compile >/dev/null 2>&1 \
  && "$JAVA_HOME/bin/java" -cp target/classes:target/test-classes io.vdetach.volume.bitlocker.BitLockerBenchVolume \
     "$SCRATCH/bitlk-images/bitlk-aes-xts-128.img" "$img" "$SIZE")
cc -O2 -o "$SCRATCH/openssl-xts-sectors" "$REPO/bench/openssl-xts-sectors.c" -lcrypto
cat "$img" > /dev/null   # warm the page cache
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
# CPU time (user + sys, all threads) is what `openssl speed` divides by; wall time depends on the load.
cpu_run() { # LABEL COMMAND...: one timed run, OUT removed before and after
  rm -f "$out"
  /usr/bin/time -f "%e %U %S" -o "$SCRATCH/time" "${@:2}" >/dev/null || [ "$1" = ls ]
  read -r wall user sys < <(tail -1 "$SCRATCH/time")  # after "Command exited with non-zero status" for ls
  echo "$1: $(echo "$SIZE $wall $user $sys" | awk '{printf "%.2f s wall, %.2f s CPU (%.2f user + %.2f sys): %.0f MiB/s wall, %.0f MiB/s per CPU-second", $2, $3 + $4, $3, $4, $1 / $2, $1 / ($3 + $4)}')"
  rm -f "$out"
}
echo "== the floor: the same bytes copied from the page cache to $out by cat (no decryption)"
cpu_run "cat" sh -c "cat '$img' > '$out'"
echo "== start-up (JVM, key stretch, probe) to subtract: ls --volumes-only (the random \"NTFS\" inside fails its probe: exit 3)"
cpu_run "ls" "$REPO/vdetach" ls --volumes-only --password anaconda "$img" 2>/dev/null
[ -z "${BEFORE:-}" ] || "$BEFORE/vdetach" --help >/dev/null   # builds it first if needed
for run in 1 2 3; do
  cpu_run "openssl peer run $run" "$SCRATCH/openssl-xts-sectors" "$img" "$out"
  [ -z "${BEFORE:-}" ] || cpu_run "dump before run $run" "$BEFORE/vdetach" dump --volume disk --password anaconda --json "$img" "$out"
  cpu_run "dump run $run" "$REPO/vdetach" dump --volume disk --password anaconda --json "$img" "$out"
done
echo "== the decrypting layer and cipher alone (XtsThroughput, CPU time)"
(cd "$REPO" && source scripts/java-home && "$JAVA_HOME/bin/java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:target/test-classes:$(ls target/lib/*.jar | tr '\n' :)" io.vdetach.volume.bitlocker.XtsThroughput "$img" anaconda 3)
echo "== openssl speed -evp aes-128-xts (one core)"
openssl speed -seconds 3 -evp aes-128-xts 2>/dev/null | tail -2
