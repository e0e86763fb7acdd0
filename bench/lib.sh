# Shared helpers for the benchmark scripts (sourced). Everything lives under $SCRATCH and is
# cleaned up on exit; every loop device attached here is detached by name.
set -euo pipefail
SCRATCH=${SCRATCH:-/var/tmp/vdetach-bench}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOOPS=()
MOUNTS=()
cleanup() {
  set +e
  for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"; done
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
}
trap cleanup EXIT

attach() { # FILE [losetup options] -> sets ATTACHED to the loop device (no subshell: LOOPS must see it)
  ATTACHED=$(losetup --find --show "${@:2}" "$1"); LOOPS+=("$ATTACHED")
}
mount_at() { # DEV DIR [mount options]
  mkdir -p "$2"; mount "${@:3}" "$1" "$2"; MOUNTS+=("$2")
}
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# sectors written to a block device so far (field 10 of /proc/diskstats)
written_bytes() { awk -v d="$(basename "$1")" '$3 == d {printf "%.0f\n", $10 * 512}' /proc/diskstats; }
read_bytes() { awk -v d="$(basename "$1")" '$3 == d {printf "%.0f\n", $6 * 512}' /proc/diskstats; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }
