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
