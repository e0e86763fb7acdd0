#!/usr/bin/env bash
# Offline detach benchmark (issue 6): a real ext4 guest disk (mke2fs -d of SRC, 4 KiB blocks)
# lies in an ext4 host file. Compared, each on a fresh copy of the same host:
#   1. vdetach offline detach  (host unmounted; metadata only)
#   2. loop mount host + loop mount guest + cp -a   (the usual way)
#   3. vdetach extract --mode copy  (onto the mounted host)
# Each reports wall seconds (sync included) and what it wrote; the offline result is checked by e2fsck -fn.
#
#   sudo bench/offline-detach.sh [SRC=/usr/share] [WORKDIR=/var/tmp/vdetach-bench-offline]
#
# A synthetic variant with a chosen file count (no guest filesystem, a tree carved from the image):
#   CARVED=1 sudo bench/offline-detach.sh IMAGE_MIB MAX_FILES [WORKDIR] [MAX_FILE_BYTES]
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
source "$HERE/scripts/java-home"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

if [ -n "${CARVED:-}" ]; then
  IMAGE_MIB=${1:-1024}; MAX_FILES=${2:-50000}; WORK=${3:-/var/tmp/vdetach-bench-offline}; MAX_SIZE=${4:-9223372036854775807}
  rm -rf "$WORK"; mkdir -p "$WORK/src/vm"
  head -c "${IMAGE_MIB}M" /dev/urandom > "$WORK/src/vm/disk.img"
  truncate -s "$((IMAGE_MIB + IMAGE_MIB / 2 + 256))M" "$WORK/host.ext4"
  mke2fs -q -F -t ext4 -b 4096 -d "$WORK/src" "$WORK/host.ext4"; rm -rf "$WORK/src"
  (cd "$HERE" && mvn -q -o test-compile)
  sync; t0=$(now)
  "$JAVA_HOME/bin/java" -Dvdetach.offline.timing=true -cp "$HERE/target/classes:$HERE/target/test-classes" \
      io.vdetach.apply.offline.OfflineBench "$WORK/host.ext4" vm/disk.img extracted "$WORK/undo" "$MAX_FILES" "$MAX_SIZE"
  sync; t1=$(now)
  echo "carved offline detach: $(secs "$t0" "$t1") s wall (JVM start + sync included), undo $(du -k "$WORK/undo" | cut -f1) KiB"
  e2fsck -fn "$WORK/host.ext4" >"$WORK/fsck.txt" 2>&1 && echo "e2fsck -fn: clean" || { echo "e2fsck -fn: PROBLEMS"; cat "$WORK/fsck.txt"; exit 1; }
  exit 0
fi

SRC=${1:-/usr/share}
WORK=${2:-/var/tmp/vdetach-bench-offline}
rm -rf "$WORK"; mkdir -p "$WORK/hsrc/vm"
SRC_MIB=$(du -sm --apparent-size "$SRC" | cut -f1)
NFILES=$(find "$SRC" -xdev | wc -l)
GUEST_MIB=$((SRC_MIB * 14 / 10 + 128))
truncate -s "${GUEST_MIB}M" "$WORK/hsrc/vm/guest.img"
mke2fs -q -F -t ext4 -b 4096 -N $((NFILES + 10000)) -d "$SRC" "$WORK/hsrc/vm/guest.img"
truncate -s "$((GUEST_MIB * 2 + 512))M" "$WORK/pristine.ext4"
mke2fs -q -F -t ext4 -b 4096 -d "$WORK/hsrc" "$WORK/pristine.ext4"
rm -rf "$WORK/hsrc"
echo "guest: $SRC ($SRC_MIB MiB, $NFILES entries) in a $GUEST_MIB MiB ext4 image; host $((GUEST_MIB * 2 + 512)) MiB"
"$HERE/vdetach" --version >/dev/null 2>&1 || true   # builds the jar once, outside the timings

# 1. offline detach
cp --sparse=always "$WORK/pristine.ext4" "$WORK/host.ext4"
sync; t0=$(now)
"$HERE/vdetach" offline detach --device "$WORK/host.ext4" --image vm/guest.img --to restored --undo "$WORK/undo" --json | tee "$WORK/offline.json"
sync; t1=$(now)
echo "offline detach: $(secs "$t0" "$t1") s (JVM start and sync included); undo file $(du -m "$WORK/undo" | cut -f1) MiB"
e2fsck -fn "$WORK/host.ext4" >"$WORK/fsck.txt" 2>&1 && echo "e2fsck -fn: clean" || { echo "e2fsck -fn: PROBLEMS"; head -50 "$WORK/fsck.txt"; }
rm -f "$WORK/host.ext4" "$WORK/undo"

# 2 and 3 run on a mounted copy of the host
cp --sparse=always "$WORK/pristine.ext4" "$WORK/host.ext4"
hm=$(mktemp -d); gm=$(mktemp -d)
hl=$(losetup --find --show "$WORK/host.ext4")
cleanup() { umount "$gm" 2>/dev/null || true; umount "$hm" 2>/dev/null || true; losetup -d "$hl" 2>/dev/null || true; rmdir "$hm" "$gm"; }
trap cleanup EXIT
mount "$hl" "$hm"
gl=$(losetup --find --show --read-only "$hm/vm/guest.img")
mount -o ro "$gl" "$gm"
sync; echo 3 > /proc/sys/vm/drop_caches || true
t0=$(now); cp -a "$gm/." "$hm/restored-cp"; sync; t1=$(now)
echo "loop mount + cp -a: $(secs "$t0" "$t1") s, wrote $(du -sm "$hm/restored-cp" | cut -f1) MiB"
umount "$gm"; losetup -d "$gl"
sync; echo 3 > /proc/sys/vm/drop_caches || true
t0=$(now); "$HERE/vdetach" extract "$hm/vm/guest.img" "$hm/restored-x" --mode copy --json > "$WORK/extract.json" || true; sync; t1=$(now)
echo "vdetach extract --mode copy: $(secs "$t0" "$t1") s, wrote $(du -sm "$hm/restored-x" | cut -f1) MiB"
