#!/usr/bin/env bash
# Issue 21 benchmark: `vdetach dump --volume` of a BitLocker AES-XTS-128 volume (decrypting every
# sector) against `openssl speed -evp aes-128-xts` on the same machine. The volume is made from the
# corpus' bitlk-aes-xts-128 (password "anaconda"): SIZE MiB of random data with its metadata put back
# and its encrypted size raised (BitLockerBenchVolume). OUT goes to /dev/shm so the host disk's
# write speed is not what is measured; the volume is read from the page cache (warmed first).
#   usage: bench/bitlocker-dump.sh [SIZE_MIB]   (default 2048)
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
cat "$img" > /dev/null   # warm the page cache
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
  rm -f "$out"
  t0=$(date +%s.%N)
  "$REPO/vdetach" dump --volume disk --password anaconda --json "$img" "$out"
  t1=$(date +%s.%N)
  echo "run $run: $(echo "$SIZE $t0 $t1" | awk '{printf "%.0f MiB/s wall (JVM start and key derivation included)", $1 / ($3 - $2)}')"
done
rm -f "$out"
echo "== openssl speed -evp aes-128-xts"
openssl speed -seconds 3 -evp aes-128-xts 2>/dev/null | tail -2
