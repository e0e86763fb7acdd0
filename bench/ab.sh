#!/usr/bin/env bash
# A/B of two vdetach builds on one image, runs alternating (A B A B …) so that both meet the same
# machine state: for checking a change against the build before it on a loaded machine.
# The guest: peers.sh's tree (FILES files, TOTAL_MIB MiB, 90% of the bytes in 1% of the files)
# as a raw ext4 image on a loop-mounted XFS; DEST on a loop-mounted ext4 (copy mode) or the XFS
# (share mode). Caches dropped and `sync` timed, as in peers.sh.
#   usage: sudo bench/ab.sh A_LAUNCHER B_LAUNCHER [MODE] [FILES] [TOTAL_MIB] [ROUNDS]
#          MODE: copy (default) | share | streaming
source "$(dirname "$0")/lib.sh"
A=$1; B=$2; MODE=${3:-copy}; FILES=${4:-50000}; TOTAL=${5:-4096}; ROUNDS=${6:-5}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
truncate -s $((TOTAL * 4 + 4096))M "$SCRATCH/xfs.img"; mkfs.xfs -q -f -m reflink=1 "$SCRATCH/xfs.img"
attach "$SCRATCH/xfs.img"; X=$SCRATCH/x; mount_at "$ATTACHED" "$X"
truncate -s $((TOTAL * 3 + 4096))M "$SCRATCH/ext4.img"; mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$SCRATCH/ext4.img"
attach "$SCRATCH/ext4.img"; E=$SCRATCH/e; mount_at "$ATTACHED" "$E"
make_skewed_tree "$X/tree" "$FILES" "$TOTAL"
data=$(du -sb "$X/tree" | cut -f1)
mke2fs -q -t ext4 -b 4096 -d "$X/tree" "$X/ext4.raw" $(( data * 12 / 10 / 1048576 + 256 ))M; rm -rf "$X/tree"; settle
hd=$E; [ "$MODE" = share ] && hd=$X
one() { # LAUNCHER -> seconds
  local img=$X/ext4.raw out=$hd/out t0 t1
  rm -rf "$out" "$out.vdetach-progress"
  [ "$MODE" = streaming ] && { img=$E/ext4.raw; cp --sparse=always "$X/ext4.raw" "$img"; }
  drop_caches; t0=$(now)
  case $MODE in
    copy) "$1" extract --no-progress --mode copy "$img" "$out" >/dev/null ;;
    share) "$1" extract --no-progress "$img" "$out" >/dev/null ;;
    streaming) "$1" detach --streaming --window 1G --no-progress "$img" "$out" >/dev/null ;;
  esac
  settle; t1=$(now)
  rm -rf "$out" "$out.vdetach-progress" "$E/ext4.raw" "$E/ext4.raw.vdetach-consuming"; settle; sleep 5
  secs "$t0" "$t1"
}
"$A" --version >/dev/null; "$B" --version >/dev/null
echo "A=$A"; echo "B=$B"; echo "mode $MODE, $FILES files, $data bytes, $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < ROUNDS; r++)); do echo "round $r: A $(one "$A") s  B $(one "$B") s  (load $(cut -d' ' -f1 /proc/loadavg))"; done
