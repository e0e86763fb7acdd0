#!/usr/bin/env bash
# Issue 7 benchmark: vdetach against the tools a user would reach for, side by side in one run,
# on the same generated tree stored as an ext4 guest and as an NTFS guest, each as raw, qcow2
# (64 KiB clusters) and VHDX (dynamic). Caches are dropped before each run and `sync` is inside
# the timing. The images live on a loop-mounted XFS with reflink (share runs write there); every
# other run writes into a loop-mounted ext4 (no sharing). For `detach --streaming` the image is
# first copied onto that ext4 (untimed), as on a host that is short of space.
# Recorded per run: wall time (median of REPEAT runs, every value listed), bytes read and written
# on both loop devices, peak extra space on the target filesystem (statfs sampled every 50 ms),
# files extracted. The device's own rates are measured in the same run: sequential read of the
# raw image, sequential write of incompressible data (a page-cached part of the image: /dev/zero
# overstates it on this storage), and a plain copy of the raw image onto the target, by `cat`
# (through the page cache) and by `dd iflag=direct oflag=direct bs=8M` (around it): one
# sequential copy, what any copier of these bytes can hope for; and clone-floor.c, the per-file
# floor of share mode on the XFS.
#   usage: sudo bench/peers.sh [FILES] [TOTAL_MIB] [REPEAT] [WINDOW]   (defaults 50000 4096 3 1G)
#   ONLY=REGEX runs only the rows whose tool label matches (e.g. ONLY='streaming|--mode copy').
#   IMAGES=REGEX runs only the images whose name matches (e.g. IMAGES='ext4.raw|ntfs.qcow2').
#   BASELINE=PATH also runs every vdetach row with that launcher (an older checkout's ./vdetach),
#   right after the current one, so both meet the same machine state.
source "$(dirname "$0")/lib.sh"
FILES=${1:-50000}; TOTAL=${2:-4096}; REPEAT=${3:-3}; WINDOW=${4:-1G}; PAUSE=${PAUSE:-5}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
truncate -s $((TOTAL * 8 + 4096))M "$SCRATCH/xfs.img"; mkfs.xfs -q -f -m reflink=1 "$SCRATCH/xfs.img"
attach "$SCRATCH/xfs.img"; xdev=$ATTACHED; X=$SCRATCH/x; mount_at "$xdev" "$X"
truncate -s $((TOTAL * 4 + 4096))M "$SCRATCH/ext4.img"; mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$SCRATCH/ext4.img"  # no background zeroing during the runs
attach "$SCRATCH/ext4.img"; edev=$ATTACHED; E=$SCRATCH/e; mount_at "$edev" "$E"

echo "== guest tree: $FILES files, about $TOTAL MiB (90% of the bytes in 1% of the files)"
make_skewed_tree "$X/tree" "$FILES" "$TOTAL"
data=$(du -sb "$X/tree" | cut -f1)
guest_mib=$(( data * 12 / 10 / 1048576 + 256 ))
mke2fs -q -t ext4 -b 4096 -d "$X/tree" "$X/ext4.raw" ${guest_mib}M
truncate -s ${guest_mib}M "$X/ntfs.raw"; mkntfs -q -F -f "$X/ntfs.raw"
mkdir -p "$SCRATCH/n"; ntfs-3g "$X/ntfs.raw" "$SCRATCH/n"; cp -r --preserve=timestamps "$X/tree/." "$SCRATCH/n/"; umount "$SCRATCH/n"
rm -rf "$X/tree"
for g in ext4 ntfs; do
  qemu-img convert -O qcow2 "$X/$g.raw" "$X/$g.qcow2"
  qemu-img convert -O vhdx -o subformat=dynamic "$X/$g.raw" "$X/$g.vhdx"
done
settle
echo "data: $data bytes in $FILES files"

# the device's own rates, in this run (each the median of REPEAT measurements)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
raw_bytes=$(stat -c %s "$X/ext4.raw")
for ((i = 0; i < REPEAT; i++)); do
  drop_caches; t0=$(now); dd if="$X/ext4.raw" of=/dev/null bs=8M status=none; t1=$(now)
  echo "$raw_bytes / ($t1 - $t0) / 1048576" | bc -l >> "$SCRATCH/rate.read"
  drop_caches; dd if="$X/ext4.raw" of=/dev/null bs=8M count=256 status=none   # 2 GiB of it into the page cache
  t0=$(now); dd if="$X/ext4.raw" of="$E/seq" bs=8M count=256 conv=fsync status=none; t1=$(now); rm -f "$E/seq"; settle
  echo "2048 / ($t1 - $t0)" | bc -l >> "$SCRATCH/rate.write"
  drop_caches; t0=$(now); cat "$X/ext4.raw" > "$E/seq"; settle; t1=$(now); rm -f "$E/seq"; settle
  echo "$raw_bytes / ($t1 - $t0) / 1048576" | bc -l >> "$SCRATCH/rate.copy"
  drop_caches; t0=$(now); dd if="$X/ext4.raw" of="$E/seq" bs=8M iflag=direct oflag=direct status=none; settle; t1=$(now)
  rm -f "$E/seq"; settle
  echo "$raw_bytes / ($t1 - $t0) / 1048576" | bc -l >> "$SCRATCH/rate.dcopy"
done
seq_read=$(median < "$SCRATCH/rate.read" | xargs printf '%.0f'); seq_write=$(median < "$SCRATCH/rate.write" | xargs printf '%.0f')
seq_copy=$(median < "$SCRATCH/rate.copy" | xargs printf '%.0f'); seq_dcopy=$(median < "$SCRATCH/rate.dcopy" | xargs printf '%.0f')
echo "device: sequential read $seq_read MiB/s; write (incompressible) $seq_write MiB/s; copy of the raw image onto the target:" \
  "cat $seq_copy MiB/s, dd with direct I/O (8 MiB, iflag=direct oflag=direct) $seq_dcopy MiB/s"
echo "  (medians of $REPEAT; read $(tr '\n' ' ' < "$SCRATCH/rate.read" | xargs printf '%.0f '); write $(tr '\n' ' ' < "$SCRATCH/rate.write" | xargs printf '%.0f ');" \
  "cat $(tr '\n' ' ' < "$SCRATCH/rate.copy" | xargs printf '%.0f '); dd direct $(tr '\n' ' ' < "$SCRATCH/rate.dcopy" | xargs printf '%.0f '))"
best_copy=$(( seq_copy > seq_dcopy ? seq_copy : seq_dcopy ))
echo "  at the faster copy rate ($best_copy MiB/s) the $data bytes of file data would copy in $(echo "$data / 1048576 / $best_copy" | bc -l | xargs printf '%.2f') s"

# the per-file floor of share mode on this XFS (clone-floor.c: clone + tail + mode + times + syncfs)
floor_src=$REPO/../shared/bench/clone-floor.c
if [ -n "${ONLY:-}" ]; then
  echo "clone floor: not measured (ONLY=$ONLY)"
elif [ -f "$floor_src" ] && command -v cc >/dev/null; then
  cc -O2 -o "$SCRATCH/clone-floor" "$floor_src"
  mean=$(( data / FILES ))
  for ((i = 0; i < REPEAT; i++)); do
    rm -rf "$X/floor"; mkdir -p "$X/floor"; drop_caches; t0=$(now)
    "$SCRATCH/clone-floor" "$X/ext4.raw" "$X/floor" "$FILES" "$mean" write > "$SCRATCH/floor.log"; settle; t1=$(now)
    echo "$(secs "$t0" "$t1")" >> "$SCRATCH/floor.secs"; rm -rf "$X/floor"
  done
  echo "clone floor (clone-floor.c, $FILES files of the mean size $mean B, on the XFS): $(median < "$SCRATCH/floor.secs") s" \
    "(all: $(tr '\n' ' ' < "$SCRATCH/floor.secs")); last run said: $(tail -1 "$SCRATCH/floor.log")"
else
  echo "clone floor: not measured (no C compiler or no ../shared/bench/clone-floor.c)"
fi

free_bytes() { stat -f -c '%f %S' "$1" | awk '{printf "%.0f\n", $1 * $2}'; }
sampler() { # DIR FILE: the lowest free byte count of DIR's filesystem seen, into FILE, until killed
  local low f; low=$(free_bytes "$1")
  while true; do f=$(free_bytes "$1"); if ((f < low)); then low=$f; fi; echo "$low" > "$2.new"; mv -f "$2.new" "$2"; sleep 0.05; done
}
io() { echo $(( $(read_bytes "$xdev") + $(read_bytes "$edev") )) $(( $(written_bytes "$xdev") + $(written_bytes "$edev") )); }

echo; echo "| image | tool | host | wall s (median) | all runs s | read MB | written MB | peak extra MB | files |"
echo "|---|---|---|---|---|---|---|---|---|"
run() { # IMAGE LABEL HOSTDIR [stream] -- command...   (the command may use $OUT and $IMG)
  local img=$1 label=$2 hd=$3 mode=$4; shift 5
  [[ -z "${ONLY:-}" || "$label" =~ $ONLY ]] || return 0
  [[ -z "${IMAGES:-}" || "$(basename "$img")" =~ $IMAGES ]] || return 0
  local times=() rb=0 wb=0 peak=0 n=0 i
  for ((i = 0; i < REPEAT; i++)); do
    rm -rf "$hd/out" "$hd/out.vdetach-progress"; mkdir -p "$hd/out"
    IMG=$img; [ "$mode" = stream ] && { IMG=$E/$(basename "$img"); cp --sparse=always "$img" "$IMG"; }
    OUT=$hd/out; sync; drop_caches
    local f0 io0 t0 t1 rc sp; f0=$(free_bytes "$hd"); io0=($(io))
    sampler "$hd" "$SCRATCH/low" & sp=$!
    t0=$(now)
    set +e; IMG=$IMG OUT=$OUT "$@" >"$SCRATCH/last.log" 2>&1; rc=$?; set -e
    settle; t1=$(now)
    sleep 0.1; kill "$sp"; wait "$sp" 2>/dev/null || true
    local io1; io1=($(io))
    [ "$rc" = 0 ] || { echo "$label on $img: exit $rc" >&2; tail -5 "$SCRATCH/last.log" >&2; }
    times+=("$(secs "$t0" "$t1")"); rb=$(( io1[0] - io0[0] )); wb=$(( io1[1] - io0[1] ))
    peak=$(( f0 - $(cat "$SCRATCH/low") )); n=$(find "$hd/out" -type f 2>/dev/null | wc -l)
    rm -rf "$hd/out" "$hd/out.vdetach-progress"; [ "$mode" = stream ] && rm -f "$IMG" "$IMG.vdetach-consuming"
    # Deleting 50,000 files leaves work behind (XFS frees inodes in the background): let it finish
    # before the next run, which measured up to 3x slower without this pause.
    settle; sleep "$PAUSE"
  done
  local median; median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$img")" "$label" "$(basename "$hd")" "$median" \
    "${times[*]}" "$(( rb / 1000000 ))" "$(( wb / 1000000 ))" "$(( peak / 1000000 ))" "$n"
}
V="$REPO/vdetach"; "$V" --version >/dev/null
launchers=("$V"); [ -n "${BASELINE:-}" ] && { "$BASELINE" --version >/dev/null; launchers+=("$BASELINE"); }
for g in ext4 ntfs; do
  for f in raw qcow2 vhdx; do
    img=$X/$g.$f
    for L in "${launchers[@]}"; do
      tag=""; [ "$L" != "$V" ] && tag=" (baseline)"
      run "$img" "vdetach extract (share)$tag" "$X" - -- bash -c '"$0" extract --no-progress "$IMG" "$OUT"' "$L"
      run "$img" "vdetach extract --mode copy$tag" "$E" - -- bash -c '"$0" extract --no-progress --mode copy "$IMG" "$OUT"' "$L"
      run "$img" "vdetach detach --streaming --window $WINDOW$tag" "$E" stream -- \
        bash -c '"$0" detach --streaming --window "$1" --no-progress "$IMG" "$OUT"' "$L" "$WINDOW"
    done
    run "$img" "7zz x" "$E" - -- bash -c '7zz x -y -o"$OUT" "$IMG"'
  done
  run "$X/$g.raw" "tsk_recover -a" "$E" - -- bash -c 'tsk_recover -a "$IMG" "$OUT"'
done
run "$X/ext4.raw" "mount -o ro,loop + cp -a" "$E" - -- bash -c '
  d=$(losetup --find --show --read-only "$IMG"); mkdir -p "$0"; mount -o ro "$d" "$0";
  cp -a "$0/." "$OUT"; rc=$?; umount "$0"; losetup -d "$d"; exit $rc' "$SCRATCH/g"
run "$X/ext4.raw" "debugfs -R rdump" "$E" - -- bash -c 'debugfs -R "rdump / $OUT" "$IMG"'
run "$X/ntfs.raw" "ntfs-3g -o ro + cp -a" "$E" - -- bash -c '
  mkdir -p "$0"; ntfs-3g -o ro "$IMG" "$0"; cp -a "$0/." "$OUT"; rc=$?; umount "$0"; exit $rc' "$SCRATCH/g"
echo
echo "not run: guestfish/virt-copy-out (libguestfs needs a VM appliance; without KVM it ran at ~11.5 MB/s here, FIELD-NOTES);"
echo "         mount + cp -a of qcow2/VHDX needs qemu-nbd and the nbd kernel module, which this kernel lacks."
echo "kernel $(uname -r); $(nproc) cores; $(free -g | awk '/Mem/ {print $2}') GiB RAM"
"$V" --version; 7zz | head -2 | tail -1; tsk_recover -V 2>&1 | head -1; debugfs -V 2>&1 | head -1; ntfs-3g --version 2>&1 | head -1; qemu-img --version | head -1
