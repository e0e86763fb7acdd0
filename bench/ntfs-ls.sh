#!/usr/bin/env bash
# Issue 4 benchmark: list an NTFS volume of 200,000 files (200 directories x 1,000 files, made by
# mkntfs + ntfs-3g), reading every entry's metadata as `ls --long` does: vdetach's NTFS reader
# (NtfsListingBenchmark) versus ntfs-3g's read-only mount with `ls -laR`. The image's pages are
# evicted from the page cache (posix_fadvise DONTNEED on the image only) before each run.
#   usage: sudo bench/ntfs-ls.sh [DIRS FILES_PER_DIR]   (defaults 200 1000)
SCRATCH=${SCRATCH:-/var/tmp/vdetach-bench-ntfs}
source "$(dirname "$0")/lib.sh"
DIRS=${1:-200}; PER=${2:-1000}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
img=$SCRATCH/ntfs.img
truncate -s 1G "$img"
mkntfs -F -Q -q -c 4096 "$img" 2>/dev/null
M=$SCRATCH/mnt; mkdir -p "$M"
ntfs-3g -o streams_interface=xattr "$img" "$M"; MOUNTS+=("$M")
echo "== creating $((DIRS * PER)) files through ntfs-3g"
for d in $(seq 1 "$DIRS"); do mkdir "$M/d$d"; (cd "$M/d$d" && seq 1 "$PER" | sed 's/^/file-number-/' | xargs touch); done
umount "$M"; MOUNTS=()
evict() { python3 -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)" "$img"; }
evict
echo "== vdetach NTFS reader"
(cd "$REPO" && source scripts/java-home && LC_ALL=C.UTF-8 mvn -q -o test -Dtest=NtfsListingBenchmark -Dntfs.bench.image="$img" 2>&1 | grep BENCH)
evict
echo "== ntfs-3g ro mount + ls -laR"
ntfs-3g -o ro,streams_interface=xattr "$img" "$M"; MOUNTS+=("$M")
t0=$(now); n=$(ls -laR "$M" | wc -l); t1=$(now)
echo "ntfs-3g ls -laR: $n lines in $(secs "$t0" "$t1") s"
