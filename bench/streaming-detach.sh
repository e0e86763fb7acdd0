#!/usr/bin/env bash
# Issue 7 benchmark: detach --streaming versus extract --mode copy + rm, on an ext4 host that
# cannot share extents. A raw disk (GPT + ext4, ~1.2 GiB of data by default) is copied onto a
# loop-mounted ext4 before each run; caches are dropped; a sampler reads the host's free space
# (statfs via `stat -f`) every 50 ms. Records wall time and peak extra space (free before minus
# the lowest free seen) for both, and vdetach's own peak_extra_space.
#   usage: sudo bench/streaming-detach.sh [SMALL MEDIUM BIG_MIB WINDOW]   (defaults 15000 2000 512 256M)
SCRATCH=${SCRATCH:-/var/tmp/vdetach-bench-streaming}
source "$(dirname "$0")/lib.sh"
SMALL=${1:-15000}; MEDIUM=${2:-2000}; BIG_MIB=${3:-512}; WINDOW=${4:-256M}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"

echo "== building the guest ($SMALL small files, $MEDIUM medium, one of $BIG_MIB MiB)"
tree=$SCRATCH/tree; mkdir -p "$tree"
make_tree "$tree" "$SMALL" "$MEDIUM" "$(( BIG_MIB > 0 ? 1 : 0 ))" "$BIG_MIB" 7
data=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
echo "data: $data bytes in $files files"
fs_size=$(( (data * 13 / 10 + (256 << 20)) / 1048576 ))M
mke2fs -q -t ext4 -d "$tree" "$SCRATCH/fs.ext4" "$fs_size"
img=$SCRATCH/disk.img
fs_bytes=$(stat -c %s "$SCRATCH/fs.ext4")
truncate -s $(((1 << 20) + fs_bytes + (1 << 20))) "$img"
sgdisk -n 1:2048:+$((fs_bytes / 512)) -t 1:8300 "$img" >/dev/null
dd if="$SCRATCH/fs.ext4" of="$img" bs=4M seek=$((1 << 20)) oflag=seek_bytes conv=notrunc,sparse status=none
rm -rf "$tree" "$SCRATCH/fs.ext4"
echo "image: $(du -B1 "$img" | cut -f1) bytes allocated"

host_img=$SCRATCH/host.ext4
truncate -s $(( (data * 3 + (1 << 30)) / 1048576 ))M "$host_img"
mkfs.ext4 -q -F "$host_img"
# attach() runs in a command substitution (a subshell): record the device here so cleanup detaches it.
hostdev=$(losetup --find --show "$host_img"); LOOPS+=("$hostdev")
H=$SCRATCH/host; mount_at "$hostdev" "$H"
( cd "$REPO" && ./vdetach --version >/dev/null )
"$REPO/vdetach" ls "$img" | grep -q ext4 || { echo "the generated guest is not recognised" >&2; exit 1; }

free_bytes() { stat -f -c '%f %S' "$H" | awk '{printf "%.0f\n", $1 * $2}'; }
sampler() { # writes the lowest free byte count seen to $1 until killed
  local low; low=$(free_bytes)
  while true; do f=$(free_bytes); if ((f < low)); then low=$f; fi; echo "$low" > "$1.new"; mv -f "$1.new" "$1"; sleep 0.05; done
}
run() { # NAME COMMAND...: image placed fresh, caches dropped, timed, free space sampled
  local name=$1; shift
  rm -rf "$H/out" "$H/out.vdetach-progress"
  cp --sparse=always "$img" "$H/disk.img"; sync; drop_caches
  local f0; f0=$(free_bytes)
  sampler "$SCRATCH/low.$name" & local sp=$!
  local t0; t0=$(now)
  "$@"
  sync; local t1; t1=$(now)
  sleep 0.2; kill "$sp"; wait "$sp" 2>/dev/null || true
  local low; low=$(cat "$SCRATCH/low.$name")
  printf '| %-40s | %8s s | %14s |\n' "$name" "$(secs "$t0" "$t1")" "$((f0 - low))"
  [ ! -e "$H/disk.img" ] || { echo "image still there after $name" >&2; exit 1; }
}
copy_then_rm() {
  "$REPO/vdetach" extract --mode copy --no-progress --json "$H/disk.img" "$H/out" > "$SCRATCH/extract.json"
  rm "$H/disk.img"
}
streaming() {
  "$REPO/vdetach" detach --streaming --window "$WINDOW" --no-progress --json "$H/disk.img" "$H/out" > "$SCRATCH/streaming.json"
}
echo; echo "| run | wall | peak extra space (B, sampled) |"; echo "|---|---|---|"
run "detach --streaming --window $WINDOW" streaming
run "extract --mode copy, then rm the image" copy_then_rm
echo
echo "vdetach's own figures (streaming): $(grep -oE '"(bytes_copied|peak_extra_space|windows|seconds)": [0-9.]+' "$SCRATCH/streaming.json" | tr '\n' ' ')"
echo "kernel $(uname -r); $(nproc) cores; host: ext4 on a loop device backed by $(df --output=fstype "$SCRATCH" | tail -1)"
