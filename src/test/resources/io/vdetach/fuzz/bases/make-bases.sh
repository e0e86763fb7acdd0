#!/usr/bin/env bash
# Makes the generated base images of the filesystem fuzz targets (io.vdetach.fuzz.*FuzzTest), each
# a small volume made and filled by the real tools, gzipped beside this script. Run as root (loop,
# ntfs-3g and exFAT mounts). The committed .gz files are what the targets and their regression
# inputs use: run this again only to change a base, and then re-run the campaign for its family.
# File data is text so the images compress well; the structures are what matter.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
mnt="$work/mnt"
mkdir -p "$mnt"
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT
export E2FSPROGS_FAKE_TIME=1700000000 SOURCE_DATE_EPOCH=1700000000
text() { { yes "$1 line of text 0123456789" || true; } | head -c "$2"; }

# ---- a tree for ext (mke2fs -d copies it: no mount needed)
tree="$work/tree"
mkdir -p "$tree"/dir/sub/deep/er/still "$tree"/many "$tree/ünïcødé"
text small 100 > "$tree/small"
text medium 5000 > "$tree/dir/medium"
text big 300000 > "$tree/dir/sub/big"          # 1 KiB blocks: direct, indirect and double indirect
: > "$tree/empty"
printf deep > "$tree/dir/sub/deep/er/still/file"
printf j > "$tree/ünïcødé/日本語.txt"
for i in $(seq 1 200); do printf "$i" > "$tree/many/entry-with-a-longer-name-$i"; done   # an htree after e2fsck -D
python3 - "$tree" <<'PY'
import os, sys
t = sys.argv[1]
fd = os.open(t + '/fragmented', os.O_CREAT | os.O_WRONLY, 0o644)
for i in range(0, 120, 2):                    # every other block written: one extent each
    os.pwrite(fd, bytes([65 + i % 26]) * 1024, i * 4096)
os.close(fd)
with open(t + '/sparse', 'wb') as f:
    f.truncate(5 << 20)
    f.seek(3 << 20); f.write(b'middle')
PY
ln -s small "$tree/shortlink"
ln -s "$(python3 -c "print('d/' * 60 + 'target')")" "$tree/longlink"
ln "$tree/small" "$tree/dir/hardlink"
mkfifo "$tree/fifo"
mknod "$tree/chardev" c 1 7
setfattr -n user.small -v hello "$tree/small"
setfattr -n user.big -v "0x$(text xattr 800 | od -An -tx1 | tr -d ' \n')" "$tree/dir/medium"
setfattr -n system.posix_acl_access -v 0x0200000001000600ffffffff02000400e803000004000400ffffffff10000400ffffffff20000000ffffffff "$tree/dir/medium"
chown 1234:5678 "$tree/dir/medium"
chmod 4755 "$tree/small"
ext() { # name size type options...
  local name=$1 size=$2 type=$3; shift 3
  mke2fs -q -F -t "$type" -L "$name" -U 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d -E hash_seed=5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b \
      -d "$tree" "$@" "$work/$name.img" "$size"
  e2fsck -fyD "$work/$name.img" >/dev/null || [ $? -le 1 ]
  gzip -9nc "$work/$name.img" > "$out/$name.img.gz"
}
ext ext2 2M ext2 -b 1024
ext ext3 4M ext3 -b 1024 -I 256
ext ext4 4M ext4 -b 1024 -O inline_data,metadata_csum,64bit -I 256

# ---- FAT: mtools writes long names and directories without a mount
fat() { # name size mkfs-options...
  local name=$1 size=$2; shift 2
  truncate -s "$size" "$work/$name.img"
  mkfs.fat -i 12345678 -n FUZZ "$@" "$work/$name.img" >/dev/null
  export MTOOLS_SKIP_CHECK=1
  local i="$work/$name.img"
  mmd -i "$i" ::/dir ::/dir/sub ::/dir/sub/deep "::/Long Directory Name" ::/many
  text small 100 | mcopy -i "$i" - "::/small.txt"
  text big 70000 | mcopy -i "$i" - "::/dir/sub/A file with a long name.txt"
  text x 3000 | mcopy -i "$i" - "::/Long Directory Name/café-nfc"
  printf lower | mcopy -i "$i" - "::/lower.txt"
  for n in $(seq 1 40); do printf "$n" | mcopy -i "$i" - "::/many/entry number $n with a long name"; done
  gzip -9nc "$i" > "$out/$name.img.gz"
}
fat fat12 1M -F 12
fat fat32 34M -F 32 -s 1 -S 512

# ---- exFAT: mkfs.exfat, filled through a mount
truncate -s 8M "$work/exfat.img"
mkfs.exfat -L FUZZ -c 4K "$work/exfat.img" >/dev/null
loop=$(losetup --find --show "$work/exfat.img")     # FUSE exfat wants a block device
mount -t exfat "$loop" "$mnt" 2>/dev/null || mount.exfat-fuse "$loop" "$mnt"
mkdir -p "$mnt/dir/sub/deep" "$mnt/many" "$mnt/ünïcødé"
text small 100 > "$mnt/small.txt"
text big 200000 > "$mnt/dir/sub/big file with a long name.txt"
printf j > "$mnt/ünïcødé/日本語.txt"
for n in $(seq 1 60); do printf "$n" > "$mnt/many/entry number $n with a long name"; done
: > "$mnt/empty"
umount "$mnt"
losetup -d "$loop"
gzip -9nc "$work/exfat.img" > "$out/exfat.img.gz"

# ---- NTFS: mkntfs, filled through ntfs-3g (compression, streams, reparse points, WOF)
truncate -s 8M "$work/ntfs.img"
mkntfs -F -Q -q -c 4096 -L fuzz "$work/ntfs.img"
# WOF data: wimlib's XPRESS and LZX chunks (a WIM resource is a WOF stream's layout)
mkdir "$work/wofsrc"
text wof 20000 > "$work/wofsrc/file"
wof() { # name compression chunk algorithm
  wimcapture "$work/wofsrc" "$work/$1.wim" --compress="$2" --chunk-size="$3" >/dev/null
  python3 - "$work/$1.wim" "$work/$1.res" <<'PY'
import re, subprocess, sys
info = subprocess.run(['wiminfo', '--blobs', sys.argv[1]], capture_output=True, text=True).stdout
for m in re.finditer(r'Uncompressed size = (\d+) bytes\s+Compressed size\s+= (\d+) bytes\s+Offset in WIM\s+= (\d+) bytes', info):
    if int(m.group(1)) == 20000:
        with open(sys.argv[1], 'rb') as f:
            f.seek(int(m.group(3))); data = f.read(int(m.group(2)))
        open(sys.argv[2], 'wb').write(data)
PY
}
wof xpress4k XPRESS 4096
wof lzx LZX 32768
ntfs-3g -o streams_interface=xattr,compression "$work/ntfs.img" "$mnt"
(
  cd "$mnt"
  text small 100 > small
  mkdir -p c dir/sub/deep many links
  setfattr -n system.ntfs_attrib_be -v 0x00000800 c
  text compressed 100000 > c/text               # LZNT1
  truncate -s 1M c/sparse; printf middle | dd of=c/sparse bs=1 seek=500000 conv=notrunc status=none
  truncate -s 4M sparse; printf x | dd of=sparse bs=1 seek=3000000 conv=notrunc status=none
  text data 50000 > dir/sub/data
  setfattr -n user.stream -v hi small
  for i in $(seq 1 150); do : > "many/file-with-a-longer-name-$i"; done
  printf linked > links/target
  for i in $(seq 1 100); do ln links/target "links/hard-link-number-$i-with-a-long-name-to-fill-the-record"; done   # an attribute list
  for i in $(seq 1 200); do text f 2048 >> frag; text g 2048 > "filler$((i % 5))"; done; rm -f filler*
  ln -s small rel; ln -s nowhere dangling
  printf j > '日本語.txt'
  touch wof-xpress wof-lzx rs jn
)
umount "$mnt"
ntfs-3g -o streams_interface=windows "$work/ntfs.img" "$mnt"
text bigstream 70000 > "$mnt/small:bigstream"
for k in xpress4k:0 lzx:1; do
  name=${k%%:*}; alg=${k##*:}
  f="$mnt/wof-${name%4k}"
  truncate -s 20000 "$f"
  cp "$work/$name.res" "$f:WofCompressedData"
  # WOF_EXTERNAL_INFO {1, provider 2 (file)} + FILE_PROVIDER_EXTERNAL_INFO_V1 {1, algorithm}
  setfattr -n system.ntfs_reparse_data -v "0x17000080100000000100000002000000010000000${alg}000000" "$f"
done
# a relative symbolic link and a junction as Windows stores them
setfattr -n system.ntfs_reparse_data -v 0x0c0000a01a000000000006000600000000000100640075007000 "$mnt/rs" 2>/dev/null || true
umount "$mnt"
gzip -9nc "$work/ntfs.img" > "$out/ntfs.img.gz"

# ---- XFS v5: every directory and attribute form, a btree fork, symlinks, sparse and preallocated files
truncate -s 20M "$work/xfs.img"
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m crc=1 -L fuzz "$work/xfs.img"
mount -o loop "$work/xfs.img" "$mnt"
(
  cd "$mnt"
  mkdir -p dir/sub/deep smalldir middir
  text small 100 > small
  text big 200000 > dir/sub/big
  : > empty
  for i in $(seq 1 5); do printf "$i" > "smalldir/f$i"; done
  for i in $(seq 1 300); do : > "middir/entry-with-a-longer-name-$i"; done
  python3 - <<'PY'
import os
fd = os.open('fragmented', os.O_CREAT | os.O_WRONLY, 0o644)
for i in range(0, 400, 2):
    os.pwrite(fd, bytes([65 + i % 26]) * 4096, i * 4096)
os.close(fd)
os.setxattr('dir/sub/big', 'user.big', bytes(65 + i % 26 for i in range(30000)))
open('manyattrs', 'w').close()
for i in range(1, 301):
    os.setxattr('manyattrs', 'user.attr_%d' % i, ('value-%d-' % i + 'v' * (i % 40)).encode())
open('someattrs', 'w').close()
for i in range(1, 31):
    os.setxattr('someattrs', 'user.a%d' % i, b'val%d' % i)
PY
  truncate -s 10M sparse; printf middle | dd of=sparse bs=1 seek=5000000 conv=notrunc status=none
  fallocate -l 1M prealloc
  ln -s small shortlink
  ln -s "$(python3 -c "print('d/' * 100 + 'target')")" longlink
  ln small dir/hardlink
  mkfifo fifo; mknod chardev c 1 7
  setfattr -n user.small -v hello small
)
umount "$mnt"
gzip -9nc "$work/xfs.img" > "$out/xfs.img.gz"
ls -l "$out"
