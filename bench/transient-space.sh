#!/usr/bin/env bash
# Issue 19 (Scale item 3): how far the host's free space drops *during* a share-mode extract,
# against what is left used after it and against what `plan` predicts. The guest is a raw GPT +
# ext4 disk on a loop-mounted XFS (reflink=1); `vdetach extract` writes into that XFS. A poller
# reads statfs of the XFS every 50 ms; the lowest free space seen is the run's peak use.
#   usage: sudo bench/transient-space.sh [SHAPE [ROUNDS]]
#   SHAPE: rund  (default) 50,000 files, 4 GiB, 90% of the bytes in 1% of the files (run D's guest)
#          tiny  50,000 files of 1 B-3 KiB (every file is one partial block)
#          large 40 files of 20-60 MiB with unaligned tails
#   VDETACH: the command to run (default: the checkout's ./vdetach). BEFORE: another build's command,
#   run before VDETACH in every round (same guest, same session) so the time ratio is side by side.
#   Scratch: /var/tmp/vdetach-space (removed at the end unless KEEP_SCRATCH=1).
SCRATCH=${SCRATCH:-/var/tmp/vdetach-space/bench}
source "$(dirname "$0")/lib.sh"
SHAPE=${1:-rund}; ROUNDS=${2:-1}
read -r -a VD <<<"${VDETACH:-$REPO/vdetach}"
read -r -a OLD <<<"${BEFORE:-}"
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
xfs_host 24G

tree=$H/tree; mkdir -p "$tree"
case $SHAPE in
  rund) make_skewed_tree "$tree" 50000 4096 ;;
  tiny) python3 - "$tree" <<'PY'
import os, sys, random
root = sys.argv[1]; rnd = random.Random(19)
for i in range(50000):
    d = f"{root}/d{i // 1000:03d}"; os.makedirs(d, exist_ok=True)
    with open(f"{d}/t{i:06d}", "wb") as f: f.write(rnd.randbytes(rnd.randint(1, 3072)))
PY
  ;;
  large) python3 - "$tree" <<'PY'
import os, sys, random
root = sys.argv[1]; rnd = random.Random(19); os.makedirs(root, exist_ok=True)
for i in range(40):
    size = rnd.randint(20 << 20, 60 << 20) + rnd.randint(1, 4095)
    with open(f"{root}/l{i:02d}", "wb") as f:
        while size > 0:
            k = min(size, 1 << 20); f.write(rnd.randbytes(k)); size -= k
PY
  ;;
  *) echo "unknown SHAPE $SHAPE (rund, tiny, large)" >&2; exit 2 ;;
esac
data=$(du -sb "$tree" | cut -f1); files=$(find "$tree" -type f | wc -l)
tails=$(find "$tree" -type f -printf '%s\n' | awk '$1 % 4096 {n++} END {print n + 0}')
echo "== $SHAPE: $data bytes in $files files, $tails with a partial last block"
img=$H/disk.img
gpt_ext4_disk "$tree" "$img" -N $((files + 10000))

free_bytes() { stat -f -c '%f %S' "$H" | awk '{printf "%.0f\n", $1 * $2}'; }
# The poller: statfs of the XFS every 50 ms until killed; keeps the lowest free bytes seen in
# $SCRATCH/low (rewritten at each new low, so a kill at any moment leaves the answer).
start_poller() {
  rm -f "$SCRATCH/low"
  python3 - "$H" "$SCRATCH/low" <<'PY' &
import os, sys, time
low = None
while True:
    s = os.statvfs(sys.argv[1]); f = s.f_bfree * s.f_frsize
    if low is None or f < low:
        low = f
        with open(sys.argv[2] + ".new", "w") as out: out.write(f"{low}\n")
        os.replace(sys.argv[2] + ".new", sys.argv[2])
    time.sleep(0.05)
PY
  POLLER=$!
  while [ ! -s "$SCRATCH/low" ]; do sleep 0.05; done
}
stop_poller() { kill "$POLLER"; wait "$POLLER" 2>/dev/null || true; cat "$SCRATCH/low"; }
json_num() { grep -o "\"$1\": [0-9]*" "$2" | head -1 | grep -o '[0-9]*$'; }
mb() { echo "$1" | awk '{printf "%.0f", $1 / 1e6}'; }

"${VD[@]}" plan --json "$img" "$H/out" >"$SCRATCH/plan.json"
predicted=$(json_num peak_host_bytes "$SCRATCH/plan.json" || echo 0)
echo "plan: peak_host_bytes $predicted, host_bytes_written $(json_num host_bytes_written "$SCRATCH/plan.json" || echo ?)"
echo
echo "| round | build | wall s | cpu s (user+sys) | before→lowest MB | before→after MB | written MB (loop) | copied MB (report) | plan peak MB | lowest / plan |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run() { # LABEL COMMAND...
  local label=$1; shift
  rm -rf "$H/out"; drop_caches; sleep 2
  before=$(free_bytes); w0=$(written_bytes "$hostdev")
  start_poller
  t0=$(now)
  /usr/bin/time -o "$SCRATCH/cpu" -f '%U %S' "$@" extract --no-progress --json "$img" "$H/out" >"$SCRATCH/extract.json"
  t1=$(now)
  sleep 0.2; low=$(stop_poller)
  after=$(free_bytes); w1=$(written_bytes "$hostdev")
  [ "$after" -lt "$low" ] && low=$after
  peak=$((before - low)); used=$((before - after))
  ratio=$([ "${predicted:-0}" -gt 0 ] && echo "$peak $predicted" | awk '{printf "%.2f", $1 / $2}' || echo -)
  echo "| $r | $label | $(secs "$t0" "$t1") | $(awk '{printf "%.2f", $1 + $2}' "$SCRATCH/cpu") | $(mb $peak) | $(mb $used) | $(mb $((w1 - w0))) | $(mb "$(json_num bytes_copied "$SCRATCH/extract.json")") | $(mb "$predicted") | $ratio |"
}
for ((r = 1; r <= ROUNDS; r++)); do
  [ ${#OLD[@]} -eq 0 ] || run before "${OLD[@]}"
  run this "${VD[@]}"
done
echo
echo "$SHAPE: $files files, $data bytes, $tails partial last blocks; $(uname -r); $(mkfs.xfs -V); $("${VD[@]}" --version)"
