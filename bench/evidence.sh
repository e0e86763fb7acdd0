#!/usr/bin/env bash
# Issue 14 benchmark: what the evidence outputs cost. A raw disk (GPT + ext4) of a few thousand
# files and ~1.5 GB on a loop-mounted XFS (reflink=1, loop with direct I/O). Caches dropped before
# each run. Rows: the image's sequential read (cat, and dd with direct reads), share mode without
# and with --manifest (SHA-256, then all three hashes), copy mode (--mode copy into the same XFS)
# without and with --manifest, extract --tar to a file on the XFS and to /dev/null, and
# ls --manifest --hash.
#   usage: sudo [ROUNDS=3] [NICE=-10] bench/evidence.sh [SMALL MEDIUM BIG BIG_MIB]   (defaults 3000 1500 2 500)
# NICE runs every row (cat and dd too) at that priority: on a machine others keep busy, it measures
# what the runs need rather than what the scheduler leaves them.
source "$(dirname "$0")/lib.sh"
SMALL=${1:-3000}; MEDIUM=${2:-1500}; BIG=${3:-2}; BIG_MIB=${4:-500}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
xfs_host 12G

echo "== building the guest tree ($SMALL small, $MEDIUM medium, $BIG x $BIG_MIB MiB)"
tree=$H/tree; mkdir -p "$tree"
make_tree "$tree" "$SMALL" "$MEDIUM" "$BIG" "$BIG_MIB" 14
data=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
echo "data: $data bytes in $files files"
img=$H/disk.img
gpt_ext4_disk "$tree" "$img"
img_bytes=$(du -B1 "$img" | cut -f1)
echo "image: $(stat -c %s "$img") bytes, $img_bytes allocated"
( cd "$REPO" && ./vdetach --version >/dev/null )

row() { printf '| %-44s | %7s s | %s |\n' "$1" "$2" "$3"; }
timed() { # LABEL NOTE COMMAND...: runs with caches dropped, prints a row, sets SECS
  local label=$1 note=$2; shift 2
  drop_caches; local t0; t0=$(now)
  nice -n "${NICE:-0}" "$@" > "$SCRATCH/last.out" 2> "$SCRATCH/last.err" || { echo "failed: $*"; cat "$SCRATCH/last.err"; exit 1; }
  sync; local t1; t1=$(now)
  SECS=$(secs "$t0" "$t1"); row "$label" "$SECS" "$note"
}
shared() { grep -o '"bytes_shared": [0-9]*' "$SCRATCH/last.out" | head -1 | grep -o '[0-9]*$'; }
clean() { rm -rf "$H"/out* "$SCRATCH"/*.manifest "$H"/*.tar; sync; }

echo; echo "| run | wall | notes |"; echo "|---|---|---|"
# the rows the 1.2x target compares, ROUNDS times side by side (a busy machine varies from minute to minute)
for round in $(seq 1 "${ROUNDS:-1}"); do
timed "cat IMAGE > /dev/null" "page cache, readahead" cat "$img"; cat_s=$SECS
timed "dd IMAGE bs=16M iflag=direct" "direct reads" dd if="$img" of=/dev/null bs=16M iflag=direct status=none; dd_s=$SECS
timed "extract (share)" "" "$REPO/vdetach" extract --no-progress --json "$img" "$H/out"; share_s=$SECS; clean
timed "extract (share) --manifest (sha256)" "" "$REPO/vdetach" extract --no-progress --json --manifest "$SCRATCH/s.manifest" "$img" "$H/out"
share_hash_s=$SECS; echo "  shared $(shared) bytes; $(wc -l < "$SCRATCH/s.manifest") manifest lines"; clean
echo "  round $round: share --manifest / cat $(echo "$share_hash_s / $cat_s" | bc -l | xargs printf '%.2f'), / dd $(echo "$share_hash_s / $dd_s" | bc -l | xargs printf '%.2f'); load $(cut -d' ' -f1 /proc/loadavg)"
done
timed "extract (share) --manifest --hash sha256,md5,sha1" "" "$REPO/vdetach" extract --no-progress --json --manifest "$SCRATCH/s.manifest" --hash sha256,md5,sha1 "$img" "$H/out"; share_all_s=$SECS; clean
VDETACH_DEBUG=1 "$REPO/vdetach" extract --no-progress --json --manifest "$SCRATCH/s.manifest" "$img" "$H/out" > /dev/null 2> "$SCRATCH/debug.err"
grep -h "^evidence:\|^ordered copy" "$SCRATCH/debug.err" | sed 's/^/  debug: /'; clean
timed "extract --mode copy" "" "$REPO/vdetach" extract --no-progress --json --mode copy "$img" "$H/out"; copy_s=$SECS; clean
timed "extract --mode copy --manifest (sha256)" "" "$REPO/vdetach" extract --no-progress --json --mode copy --manifest "$SCRATCH/c.manifest" "$img" "$H/out"; copy_hash_s=$SECS; clean
timed "extract --tar FILE (on the XFS)" "" "$REPO/vdetach" extract --no-progress --json --tar "$H/guest.tar" "$img"; tar_s=$SECS
echo "  archive: $(stat -c %s "$H/guest.tar") bytes"; clean
timed "extract --tar FILE --manifest (sha256)" "" "$REPO/vdetach" extract --no-progress --json --tar "$H/guest.tar" --manifest "$SCRATCH/t.manifest" "$img"; tar_hash_s=$SECS; clean
timed "extract --tar - > /dev/null" "reads only" bash -c "'$REPO/vdetach' extract --no-progress --json --tar - '$img' > /dev/null"; clean
timed "ls --manifest --hash (sha256)" "reads only" "$REPO/vdetach" ls --manifest "$SCRATCH/l.manifest" --hash "$img"; clean
echo
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "share --manifest / sequential read (cat): $(ratio "$share_hash_s" "$cat_s"), (dd direct): $(ratio "$share_hash_s" "$dd_s")"
echo "share --manifest / share: $(ratio "$share_hash_s" "$share_s")"
echo "copy --manifest / copy: $(ratio "$copy_hash_s" "$copy_s")"
echo "tar / copy: $(ratio "$tar_s" "$copy_s"); tar --manifest / copy --manifest: $(ratio "$tar_hash_s" "$copy_hash_s")"
uname -r; "$REPO/vdetach" --version; nproc; grep -m1 'model name' /proc/cpuinfo
