#!/usr/bin/env bash
# Issue 7 benchmark: vdetach against the tools a user would reach for, side by side in one run,
# on the same generated ext4 guest stored as raw, qcow2 and VHDX. Caches are dropped before
# each run; the host is a loop-mounted XFS (reflink=1: vdetach shares) and, for the copy runs,
# a loop-mounted ext4 (no sharing). Records wall time, bytes read from / written to the host's
# loop device, and the device's own sequential rates measured in the same run (dd).
#   usage: sudo bench/peers.sh [FILES] [TOTAL_MIB]        (defaults 50000 4096)
source "$(dirname "$0")/lib.sh"
FILES=${1:-50000}; TOTAL=${2:-4096}
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
truncate -s $((TOTAL * 5 + 4096))M "$SCRATCH/xfs.img"; mkfs.xfs -q -f -m reflink=1 "$SCRATCH/xfs.img"
attach "$SCRATCH/xfs.img"; xdev=$ATTACHED; X=$SCRATCH/x; mount_at "$xdev" "$X"
truncate -s $((TOTAL * 3 + 4096))M "$SCRATCH/ext4.img"; mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$SCRATCH/ext4.img"  # no background zeroing during the runs
attach "$SCRATCH/ext4.img"; edev=$ATTACHED; E=$SCRATCH/e; mount_at "$edev" "$E"

echo "== guest: $FILES files, about $TOTAL MiB (90% of the bytes in 1% of the files)"
python3 - "$X/tree" "$FILES" "$TOTAL" <<'PY'
import os, sys, random
root, n, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) << 20
rnd = random.Random(7)
big = max(1, n // 100); small = n - big
small_bytes = total // 10 // max(1, small); big_bytes = total * 9 // 10 // big
for i in range(n):
    size = rnd.randint(1, 2 * small_bytes) if i < small else big_bytes
    d = f"{root}/d{i // 1000:03d}"; os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:06d}", "wb") as f:
        while size > 0:
            k = min(size, 1 << 20); f.write(rnd.randbytes(k)); size -= k
PY
data=$(du -sb "$X/tree" | cut -f1)
mke2fs -q -t ext4 -b 4096 -d "$X/tree" "$X/guest.raw" $(( data * 12 / 10 / 1048576 + 256 ))M
rm -rf "$X/tree"
qemu-img convert -O qcow2 "$X/guest.raw" "$X/guest.qcow2"
qemu-img convert -O vhdx -o subformat=dynamic "$X/guest.raw" "$X/guest.vhdx"
sync
echo "data: $data bytes in $FILES files"

# the device's own sequential rates, in this run
drop_caches; t0=$(now); dd if="$X/guest.raw" of=/dev/null bs=4M status=none; t1=$(now)
seq_read=$(echo "$(stat -c %s "$X/guest.raw") / ($t1 - $t0) / 1048576" | bc -l | xargs printf '%.0f')
t0=$(now); dd if=/dev/zero of="$E/seq" bs=4M count=256 conv=fsync status=none; t1=$(now); rm -f "$E/seq"
seq_write=$(echo "1024 / ($t1 - $t0)" | bc -l | xargs printf '%.0f')
echo "device: sequential read $seq_read MiB/s, write $seq_write MiB/s"

echo; echo "| image | tool | host | wall s | read MB | written MB | result |"; echo "|---|---|---|---|---|---|---|"
run() { # IMAGE LABEL HOSTDIR HOSTDEV -- command...
  local img=$1 label=$2 hd=$3 dev=$4; shift 5
  rm -rf "$hd/out"; mkdir -p "$hd/out"; sync; drop_caches
  local r0 w0 t0 t1 rc; r0=$(read_bytes "$xdev"); w0=$(written_bytes "$dev"); t0=$(now)
  set +e; "$@" >"$SCRATCH/last.log" 2>&1; rc=$?; set -e
  sync; t1=$(now)
  local n; n=$(find "$hd/out" -type f 2>/dev/null | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | rc %s, %s files |\n' "$(basename "$img")" "$label" "$(basename "$hd")" \
    "$(secs "$t0" "$t1")" "$(( ($(read_bytes "$xdev") - r0) / 1000000 ))" "$(( ($(written_bytes "$dev") - w0) / 1000000 ))" "$rc" "$n"
  rm -rf "$hd/out"
}
V="$REPO/vdetach"; "$V" --version >/dev/null
for img in "$X/guest.raw" "$X/guest.qcow2" "$X/guest.vhdx"; do
  run "$img" "vdetach extract (share)" "$X" "$xdev" -- "$V" extract --no-progress "$img" "$X/out"
  run "$img" "vdetach extract --mode copy" "$E" "$edev" -- "$V" extract --no-progress --mode copy "$img" "$E/out"
  run "$img" "7zz x" "$E" "$edev" -- 7zz x -y -o"$E/out" "$img"
done
run "$X/guest.raw" "mount -o ro,loop + cp -a" "$E" "$edev" -- bash -c "
  d=\$(losetup --find --show --read-only '$X/guest.raw'); mkdir -p '$SCRATCH/g'; mount -o ro \$d '$SCRATCH/g';
  cp -a '$SCRATCH/g/.' '$E/out'; rc=\$?; umount '$SCRATCH/g'; losetup -d \$d; exit \$rc"
run "$X/guest.raw" "tsk_recover -a" "$E" "$edev" -- tsk_recover -a "$X/guest.raw" "$E/out"
run "$X/guest.raw" "debugfs -R rdump" "$E" "$edev" -- debugfs -R "rdump / $E/out" "$X/guest.raw"
echo
echo "not run: guestfish/virt-copy-out (libguestfs needs a VM appliance; without KVM it ran at ~11.5 MB/s here, FIELD-NOTES);"
echo "         mount + cp -a of qcow2/VHDX needs qemu-nbd and the nbd kernel module, which this kernel lacks."
uname -r; "$V" --version; 7zz | head -2 | tail -1; tsk_recover -V 2>&1 | head -1; debugfs -V 2>&1 | head -1; qemu-img --version | head -1
