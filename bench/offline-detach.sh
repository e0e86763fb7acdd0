#!/usr/bin/env bash
# Offline detach benchmark: a guest-like tree carved from an image inside an ext4 host file,
# detached in place, against copying the same bytes out of a mounted host.
#
#   bench/offline-detach.sh [IMAGE_MIB=1024] [MAX_FILES=50000] [WORKDIR=/var/tmp/vdetach-bench] [MAX_FILE_BYTES]
#
# Prints: offline detach report (blocks donated/copied/written, seconds), e2fsck -fn result,
# and the time of `cp` of the image out of a read-only loop mount (the floor of any copier).
# Needs root (loop mount), mke2fs, e2fsck, and the project built (mvn -o test-compile).
# Until the CLI wires `vdetach offline detach`, the driver is the test class OfflineBench.
set -euo pipefail
IMAGE_MIB=${1:-1024}
MAX_FILES=${2:-50000}
WORK=${3:-/var/tmp/vdetach-bench}
MAX_SIZE=${4:-9223372036854775807}
HERE=$(cd "$(dirname "$0")/.." && pwd)
source "$HERE/scripts/java-home"

rm -rf "$WORK"; mkdir -p "$WORK/src/vm"
head -c "$((IMAGE_MIB))M" /dev/urandom > "$WORK/src/vm/disk.img"
HOST_MIB=$((IMAGE_MIB + IMAGE_MIB / 2 + 256))
truncate -s "${HOST_MIB}M" "$WORK/host.ext4"
mke2fs -q -F -t ext4 -b 4096 -d "$WORK/src" "$WORK/host.ext4"
rm -rf "$WORK/src"
cp --sparse=always "$WORK/host.ext4" "$WORK/pristine.ext4"

CP="$HERE/target/classes:$HERE/target/test-classes"
(cd "$HERE" && mvn -q -o test-compile)
sync
start=$(date +%s.%N)
"$JAVA_HOME/bin/java" -cp "$CP" io.vdetach.apply.offline.OfflineBench \
    "$WORK/host.ext4" vm/disk.img extracted "$WORK/undo" "$MAX_FILES" "$MAX_SIZE" | tee "$WORK/report.json"
sync
end=$(date +%s.%N)
echo "offline detach wall time incl. JVM start and sync: $(echo "$end - $start" | bc) s"
echo "undo file: $(du -k "$WORK/undo" | cut -f1) KiB"
e2fsck -fn "$WORK/host.ext4" >"$WORK/fsck.txt" 2>&1 && echo "e2fsck -fn: clean" || { echo "e2fsck -fn: PROBLEMS"; cat "$WORK/fsck.txt"; }

# the floor of any copying approach: read the image out of the mounted host once
mnt=$(mktemp -d)
loop=$(losetup --find --show --read-only "$WORK/pristine.ext4")
trap 'umount "$mnt" 2>/dev/null || true; losetup -d "$loop"; rmdir "$mnt"' EXIT
mount -o ro "$loop" "$mnt"
echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
start=$(date +%s.%N)
cp "$mnt/vm/disk.img" "$WORK/copied.img"
sync
end=$(date +%s.%N)
echo "copy of the image's bytes out of a ro mount (cp + sync): $(echo "$end - $start" | bc) s, $(du -m "$WORK/copied.img" | cut -f1) MiB written"
rm -f "$WORK/copied.img"
