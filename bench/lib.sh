# Shared helpers for the benchmark scripts (sourced). Everything lives under $SCRATCH and is
# removed on exit (KEEP_SCRATCH=1 keeps it); every loop device attached here is detached by name.
set -euo pipefail
SCRATCH=${SCRATCH:-/var/tmp/vdetach-bench}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOOPS=()
MOUNTS=()
cleanup() {
  set +e
  for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"; done
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
  # generated images are tens of GB: removed unless KEEP_SCRATCH=1 (to rerun by hand)
  [ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$SCRATCH"
}
trap cleanup EXIT

# Loop devices use direct I/O on their backing file: otherwise every byte is cached twice and a
# `sync` can leave the backing file's pages dirty for whoever runs next (seen: +10 s on one run).
attach() { # FILE [losetup options] -> sets ATTACHED to the loop device (no subshell: LOOPS must see it)
  ATTACHED=$(losetup --find --show --direct-io=on "${@:2}" "$1"); LOOPS+=("$ATTACHED")
}
mount_at() { # DEV DIR [mount options]
  mkdir -p "$2"; mount "${@:3}" "$1" "$2"; MOUNTS+=("$2")
}
# twice: the first sync can push a loop device's data into its backing file's page cache
settle() { sync; sync; }
drop_caches() { settle; echo 3 > /proc/sys/vm/drop_caches; }
# sectors written to a block device so far (field 10 of /proc/diskstats)
written_bytes() { awk -v d="$(basename "$1")" '$3 == d {printf "%.0f\n", $10 * 512}' /proc/diskstats; }
read_bytes() { awk -v d="$(basename "$1")" '$3 == d {printf "%.0f\n", $6 * 512}' /proc/diskstats; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

# make_tree DIR SMALL MEDIUM NBIG BIG_MIB SEED: a deterministic guest tree of SMALL files of
# 100 B-16 KiB (1,000 a directory), MEDIUM of 64-512 KiB (500 a directory) and NBIG of BIG_MIB MiB.
make_tree() {
  python3 - "$@" <<'PY'
import os, sys, random
root, small, medium, nbig, big_mib, seed = sys.argv[1], *map(int, sys.argv[2:7])
rnd = random.Random(seed)
def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        left = size
        while left:
            n = min(left, 1 << 20); f.write(rnd.randbytes(n)); left -= n
for i in range(small):  write(f"{root}/small/d{i//1000:03d}/f{i:06d}", rnd.randint(100, 16384))
for i in range(medium): write(f"{root}/medium/d{i//500:03d}/m{i:05d}", rnd.randint(64 << 10, 512 << 10))
for i in range(nbig):   write(f"{root}/big/b{i}", big_mib << 20)
PY
}

# make_skewed_tree DIR FILES TOTAL_MIB: FILES files of about TOTAL_MIB MiB in all, 90% of the bytes
# in 1% of the files, 1,000 a directory (the peers' and A/B benchmarks' guest).
make_skewed_tree() {
  python3 - "$@" <<'PY'
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
}

# xfs_host SIZE: a fresh XFS with reflink (the share-mode host) of SIZE (truncate's units) in
# $SCRATCH/host.xfs, loop-attached and mounted at $SCRATCH/host; sets hostdev and H.
xfs_host() {
  local img=$SCRATCH/host.xfs
  truncate -s "$1" "$img"
  mkfs.xfs -q -f -m reflink=1 "$img"
  attach "$img"; hostdev=$ATTACHED
  H=$SCRATCH/host; mount_at "$hostdev" "$H"
}

# gpt_disk FS IMG TYPE: a raw GPT disk IMG with one partition of sgdisk type TYPE (8300 Linux,
# 0700 Microsoft basic data) at 1 MiB holding the filesystem image FS (copied sparse; FS is left);
# sets part_start and fs_bytes (the partition's offset and size).
gpt_disk() {
  local fs=$1 img=$2 type=$3
  part_start=$((1 << 20)); fs_bytes=$(stat -c %s "$fs")
  truncate -s $((part_start + fs_bytes + (1 << 20))) "$img"
  sgdisk -n 1:2048:+$((fs_bytes / 512)) -t "1:$type" "$img" >/dev/null
  dd if="$fs" of="$img" bs=4M seek=$((part_start)) oflag=seek_bytes conv=notrunc,sparse status=none
}

# gpt_ext4_disk TREE IMG [MKE2FS_OPTION...]: a raw GPT disk IMG with one ext4 partition at 1 MiB made
# by mke2fs -d from TREE (removed afterwards); sets part_start and fs_bytes (the partition's offset
# and size). Options go to mke2fs (e.g. -N 60000 for a tree of many tiny files).
gpt_ext4_disk() {
  local tree=$1 img=$2 data fs_size
  data=$(du -sb "$tree" | cut -f1)
  fs_size=$(( (data * 13 / 10 + (512 << 20)) / 1048576 ))M
  mke2fs -q -t ext4 -b 4096 "${@:3}" -d "$tree" "$SCRATCH/fs.ext4" "$fs_size" >/dev/null
  gpt_disk "$SCRATCH/fs.ext4" "$img" 8300
  rm -rf "$tree" "$SCRATCH/fs.ext4"
  sync
}

# ntfs3g_mount FILE DIR [OPTIONS]: FILE mounted read-write through ntfs-3g, kept as a background job
# (no_detach) so that ntfs3g_umount can wait for it: a FUSE umount returns before the daemon has
# written everything back to FILE. One such mount at a time (NTFS3G_PID).
ntfs3g_mount() {
  mkdir -p "$2"
  ntfs-3g -o "no_detach${3:+,$3}" "$1" "$2" >/dev/null 2>&1 & NTFS3G_PID=$!
  until mountpoint -q "$2"; do kill -0 "$NTFS3G_PID" 2>/dev/null || { echo "ntfs-3g failed on $1" >&2; return 1; }; sleep 0.1; done
  MOUNTS+=("$2")
}
ntfs3g_umount() { # DIR: the last ntfs3g_mount; retried while something still has it open (seen once: "target is busy")
  local i
  for i in $(seq 30); do umount "$1" 2>/dev/null && break; sleep 1; done
  if mountpoint -q "$1"; then fuser -vm "$1" >&2 || true; umount "$1"; fi
  unset 'MOUNTS[-1]'; wait "$NTFS3G_PID"
}
