#!/usr/bin/env bash
# Issue 2 benchmark: a ~4 GiB raw disk (GPT + ext4) with ~5,000 medium files, ~40,000 small
# files and a few 500 MiB files, on a loop-mounted XFS (reflink=1). Runs, caches dropped before
# each: vdetach extract (share), loop mount + cp -a, debugfs -R rdump, and clone-floor (the
# physical per-file floor). Records wall time and bytes written to the host's loop device.
#   usage: sudo bench/extract-vs-peers.sh [SMALL MEDIUM BIG]   (counts; defaults 40000 5000 4)
source "$(dirname "$0")/lib.sh"
SMALL=${1:-40000}; MEDIUM=${2:-5000}; BIG=${3:-4}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
xfs_host 24G

echo "== building the guest tree ($SMALL small, $MEDIUM medium, $BIG x 500 MiB)"
tree=$H/tree; mkdir -p "$tree"
make_tree "$tree" "$SMALL" "$MEDIUM" "$BIG" 500 42
data=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
echo "data: $data bytes in $files files"
img=$H/disk.img
gpt_ext4_disk "$tree" "$img"

row() { printf '| %-28s | %8s s | %12s | %s |\n' "$1" "$2" "$3" "$4"; }
echo; echo "| tool | wall | bytes written to host | notes |"; echo "|---|---|---|---|"

# vdetach extract (share mode on the same XFS)
( cd "$REPO" && ./vdetach --version >/dev/null )
drop_caches; w0=$(written_bytes "$hostdev"); t0=$(now)
"$REPO/vdetach" extract --no-progress --json "$img" "$H/out-vdetach" > "$SCRATCH/vdetach.json"
sync; t1=$(now); w1=$(written_bytes "$hostdev")
row "vdetach extract" "$(secs "$t0" "$t1")" "$((w1 - w0))" "shared $(grep -o '"bytes_shared": [0-9]*' "$SCRATCH/vdetach.json" | head -1 | grep -o '[0-9]*$') of $data B"
vd=$(secs "$t0" "$t1")
rm -rf "$H/out-vdetach"

# loop mount + cp -a
drop_caches; w0=$(written_bytes "$hostdev"); t0=$(now)
attach "$img" --read-only --offset "$part_start" --sizelimit "$fs_bytes"; gdev=$ATTACHED
mount_at "$gdev" "$SCRATCH/guest" -o ro
cp -a "$SCRATCH/guest/." "$H/out-cp"; sync
t1=$(now); w1=$(written_bytes "$hostdev")
umount "$SCRATCH/guest"; MOUNTS=("${MOUNTS[@]:0:1}")
cp_secs=$(secs "$t0" "$t1")
row "mount -o ro,loop + cp -a" "$cp_secs" "$((w1 - w0))" ""
rm -rf "$H/out-cp"

# debugfs rdump
if command -v debugfs >/dev/null; then
  mkdir -p "$H/out-debugfs"
  drop_caches; w0=$(written_bytes "$hostdev"); t0=$(now)
  debugfs -R "rdump / $H/out-debugfs" "$gdev" >/dev/null 2>&1; sync
  t1=$(now); w1=$(written_bytes "$hostdev")
  row "debugfs -R rdump" "$(secs "$t0" "$t1")" "$((w1 - w0))" "breaks hard links"
  rm -rf "$H/out-debugfs"
fi

# the floor: clone-floor with the same file count and mean size
floor_src=$(dirname "$0")/../../shared/bench/clone-floor.c
if [ -f "$floor_src" ]; then
  cc -O2 -o "$SCRATCH/clone-floor" "$floor_src"
  mean=$((data / files))
  mkdir -p "$H/out-floor"
  drop_caches; w0=$(written_bytes "$hostdev"); t0=$(now)
  line=$("$SCRATCH/clone-floor" "$img" "$H/out-floor" "$files" "$mean" write)
  t1=$(now); w1=$(written_bytes "$hostdev")
  us=$(echo "$line" | sed -n 's/.* \([0-9.]*\) us\/file.*/\1/p')
  row "clone-floor.c (floor)" "$(secs "$t0" "$t1")" "$((w1 - w0))" "$us µs/file x $files files of the mean size $mean B"
  floor_secs=$(secs "$t0" "$t1")
  rm -rf "$H/out-floor"
fi
echo
echo "vdetach vs cp -a: $(echo "$cp_secs / $vd" | bc -l | xargs printf '%.1f')x faster"
[ -n "${floor_secs:-}" ] && echo "vdetach / clone-floor: $(echo "$vd / $floor_secs" | bc -l | xargs printf '%.2f')"
uname -r; "$REPO/vdetach" --version; mkfs.xfs -V; cp --version | head -1; debugfs -V 2>&1 | head -1
