#!/usr/bin/env bash
# Offline detach benchmark (issues 6 and 17): a real ext4 guest disk (mke2fs -d of SRC, 4 KiB blocks),
# raw or converted by qemu-img (FORMAT=qcow2, vhdx …), lies in an ext4 host file. Compared, each on a
# fresh copy of the same host, caches dropped, sync timed:
#   1. vdetach offline detach  (host unmounted; metadata only, plus whatever cannot be handed over)
#   2. host mounted: for a container, qemu-img convert to raw first; then loop mount + cp -a (the usual way)
#   3. host mounted: vdetach extract --mode copy
#   4. host mounted: 7zz x (a container unpacks to its raw disk, which 7zz x is run on again)
# Each prints wall seconds and the bytes written to the host (the host's loop device; for the offline
# run the blocks it reports); the offline result is checked by e2fsck -fn and against the cp -a tree.
#
#   sudo [FORMAT=raw|qcow2|vhdx|vmdk|vpc|vdi] bench/offline-detach.sh [SRC=/usr/share] [WORKDIR=/var/tmp/vdetach-bench-offline]
#   SRC may also be gen:SMALL,MEDIUM,NBIG,BIG_MIB for a generated tree (bench/lib.sh make_tree)
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
FORMAT=${FORMAT:-raw}
SCRATCH=$WORK
source "$HERE/bench/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK/hsrc/vm"
if [[ "$SRC" == gen:* ]]; then
  IFS=, read -r small medium nbig bigmib <<<"${SRC#gen:}"
  make_tree "$WORK/tree" "$small" "$medium" "$nbig" "$bigmib" 17
  SRC=$WORK/tree
fi
SRC_MIB=$(du -sm --apparent-size "$SRC" | cut -f1)
NFILES=$(find "$SRC" -xdev | wc -l)
GUEST_MIB=$((SRC_MIB * 14 / 10 + 128))
truncate -s "${GUEST_MIB}M" "$WORK/guest.raw"
mke2fs -q -F -t ext4 -b 4096 -N $((NFILES + 10000)) -d "$SRC" "$WORK/guest.raw"
case "$FORMAT" in
  raw) IMG=vm/guest.img; mv "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  qcow2) IMG=vm/guest.qcow2; qemu-img convert -O qcow2 "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  vhdx) IMG=vm/guest.vhdx; qemu-img convert -O vhdx -o subformat=dynamic "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  vmdk) IMG=vm/guest.vmdk; qemu-img convert -O vmdk -o subformat=monolithicSparse "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  vpc) IMG=vm/guest.vhd; qemu-img convert -O vpc -o subformat=dynamic "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  vdi) IMG=vm/guest.vdi; qemu-img convert -O vdi "$WORK/guest.raw" "$WORK/hsrc/$IMG" ;;
  *) echo "unknown FORMAT $FORMAT" >&2; exit 2 ;;
esac
rm -f "$WORK/guest.raw"
if [ "$SRC" = "$WORK/tree" ]; then rm -rf "$WORK/tree"; fi
IMG_MIB=$(du -sm --apparent-size "$WORK/hsrc/$IMG" | cut -f1)
HOST_MIB=$((GUEST_MIB * 3 + 512))
truncate -s "${HOST_MIB}M" "$WORK/pristine.ext4"
mke2fs -q -F -t ext4 -b 4096 -d "$WORK/hsrc" "$WORK/pristine.ext4"
rm -rf "$WORK/hsrc"
echo "guest: $SRC_MIB MiB in $NFILES entries, an ext4 disk of $GUEST_MIB MiB as $FORMAT ($IMG, $IMG_MIB MiB) in a $HOST_MIB MiB ext4 host"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$HERE/vdetach" --version >/dev/null 2>&1 || true   # builds the jar once, outside the timings
mib() { echo "$1" | awk '{printf "%.1f", $1 / 1048576}'; }

# 1. offline detach (the host is a plain file: what it wrote is what it reports)
cp --sparse=always "$WORK/pristine.ext4" "$WORK/host.ext4"
drop_caches; t0=$(now)
"$HERE/vdetach" offline detach --device "$WORK/host.ext4" --image "$IMG" --to restored --undo "$WORK/undo" --json >"$WORK/offline.json"
settle; t1=$(now)
cat "$WORK/offline.json"
off_written=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print((r["blocks_copied"]+r["metadata_blocks_written"])*r["block_size"])' "$WORK/offline.json")
echo "RESULT offline detach: $(secs "$t0" "$t1") s (JVM start and sync included), wrote $(mib "$off_written") MiB to the host (+ undo file $(du -m "$WORK/undo" | cut -f1) MiB elsewhere)"
e2fsck -fn "$WORK/host.ext4" >"$WORK/fsck.txt" 2>&1 && echo "e2fsck -fn: clean" || { echo "e2fsck -fn: PROBLEMS"; head -50 "$WORK/fsck.txt"; }
mv "$WORK/host.ext4" "$WORK/offline.ext4"; rm -f "$WORK/undo"

# 2-4 run on a mounted copy of the host, each into its own directory; written bytes: the host's loop device
cp --sparse=always "$WORK/pristine.ext4" "$WORK/host.ext4"
attach "$WORK/host.ext4"; HL=$ATTACHED
mount_at "$HL" "$WORK/h"
H=$WORK/h
timed() { # LABEL OUTDIR command… : wall time with sync, bytes written to the host, size of OUTDIR
  local label=$1 out=$2; shift 2
  drop_caches; local w0; w0=$(written_bytes "$HL"); local t0; t0=$(now)
  local rc=0; "$@" || rc=$?
  settle; local t1; t1=$(now); local w1; w1=$(written_bytes "$HL")
  echo "RESULT $label: $(secs "$t0" "$t1") s, wrote $(mib $((w1 - w0))) MiB to the host, rc $rc, $(du -sm "$out" 2>/dev/null | cut -f1) MiB in $(find "$out" 2>/dev/null | wc -l) entries"
}
cp_from_raw() {
  local raw=$H/$IMG
  if [ "$FORMAT" != raw ]; then raw=$H/vm/converted.raw; qemu-img convert -O raw "$H/$IMG" "$raw"; fi
  local gl; gl=$(losetup --find --show --read-only "$raw"); mkdir -p "$WORK/g"; mount -o ro "$gl" "$WORK/g"
  cp -a "$WORK/g/." "$H/restored-cp"; local rc=$?
  umount "$WORK/g"; losetup -d "$gl"; [ "$FORMAT" = raw ] || rm -f "$raw"; return $rc
}
timed "$([ "$FORMAT" = raw ] || echo "qemu-img convert -O raw + ")loop mount + cp -a" "$H/restored-cp" cp_from_raw
timed "vdetach extract --mode copy" "$H/restored-x" "$HERE/vdetach" extract "$H/$IMG" "$H/restored-x" --mode copy --json --no-progress
seven() {
  # 7-Zip opens the container and, for an unpartitioned disk, the filesystem inside it; a partitioned
  # disk comes out as one raw image per partition, unpacked again here for its files
  7zz x -y -bd -o"$H/restored-7z" "$H/$IMG" >"$WORK/7z.txt" 2>&1; local rc=$?
  local only; only=$(find "$H/restored-7z" -mindepth 1 | head -2)
  if [ "$(echo "$only" | wc -l)" = 1 ] && [ -f "$only" ]; then
    7zz x -y -bd -o"$H/restored-7z/files" "$only" >>"$WORK/7z.txt" 2>&1; rc=$?; rm -f "$only"
  fi
  return $rc
}
timed "7zz x" "$H/restored-7z" seven
grep -E "^(ERROR|WARNING|Dangerous)" "$WORK/7z.txt" | sort | uniq -c | sort -rn | head -5 || true

# the offline result against cp -a's tree (content, modes, owners, times, links)
attach "$WORK/offline.ext4" -r; OL=$ATTACHED
mount_at "$OL" "$WORK/o" -o ro
if diff -r --no-dereference "$H/restored-cp" "$WORK/o/restored/disk" >/dev/null 2>&1; then echo "offline tree = cp -a tree (contents)"; else echo "offline tree DIFFERS from cp -a tree"; fi
