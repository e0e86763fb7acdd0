#!/bin/bash
# Populates the directory $1 with the deterministic tree the XFS tests compare.
# $2 = "full" for everything, "small" to leave out the 10,000-entry directory.
set -euo pipefail
cd "$1"
mkdir -p dir/sub/deep
: > empty
printf x > one
{ seq 1 100000 || true; } | head -c 4095 > f4095
{ seq 1 100000 || true; } | head -c 4096 > f4096
{ seq 1 100000 || true; } | head -c 4097 > f4097
{ seq 1 1000000 || true; } | head -c 3000000 > dir/sub/big
# shares dir/sub/big's blocks inside the guest (XFS reflink); a plain copy where reflink is off
cp --reflink=always dir/sub/big reflinked 2>/dev/null || cp dir/sub/big reflinked
truncate -s 10M sparse
printf 'middle' | dd of=sparse bs=1 seek=5000000 conv=notrunc status=none
printf 'end' | dd of=sparse bs=1 seek=10485757 conv=notrunc status=none
truncate -s 64M allhole
ln -s one shortlink
ln -s "$(python3 -c "print('d/'*100 + 'target')")" longlink
ln -s "$(python3 -c "print('x'*1000)")" maxlink
ln one hardlink1
ln one dir/hardlink2
mkfifo fifo
mknod chardev c 1 7
mknod blkdev b 7 200
mknod bigdev c 300 70000
setfattr -n user.small -v hello one
setfattr -n trusted.t -v secret f4095
setfattr -n security.s -v sec f4096
python3 - <<'PY'
import os
# a 30,000-byte value lives in remote attribute blocks
os.setxattr('dir/sub/big', 'user.big', bytes((i * 7 + 3) % 256 for i in range(30000)))
# 300 attributes need a leaf/node attribute fork; 30 short ones a single leaf
open('manyattrs', 'w').close()
for i in range(1, 301):
    os.setxattr('manyattrs', 'user.attr_%d' % i, ('value-%d-' % i + 'v' * (i % 40)).encode())
open('someattrs', 'w').close()
for i in range(1, 31):
    os.setxattr('someattrs', 'user.a%d' % i, b'val%d' % i)
PY
# POSIX ACLs in the kernel's xattr form (no setfacl needed): u::rw- u:1000:r-- g::r-- m::r-- o::---
printf acl > withacl
setfattr -n system.posix_acl_access -v 0x0200000001000600ffffffff02000400e803000004000400ffffffff10000400ffffffff20000000ffffffff withacl
mkdir acldir
setfattr -n system.posix_acl_default -v 0x0200000001000700ffffffff04000500ffffffff20000500ffffffff acldir
mkdir 'ünïcødé'
printf 'japanese' > 'ünïcødé/日本語.txt'
printf s > setuid; chmod 4755 setuid
printf g > setgid; chmod 2710 setgid
mkdir sticky; chmod 1777 sticky
printf o > owned; chown 1234:5678 owned
printf old > old; touch -d '@1.123456789' old
printf future > future; touch -d '2100-06-01 12:00:00.987654321 UTC' future
touch -h -d '@86400.5' shortlink
mkdir smalldir; for i in $(seq 1 5); do printf "$i" > "smalldir/f$i"; done
mkdir middir; for i in $(seq 1 300); do : > "middir/entry-with-a-longer-name-$i"; done
python3 - <<'PY'
import os
# every other 4 KiB block written: one extent per written block, so the fork becomes a btree
fd = os.open('fragmented', os.O_CREAT | os.O_WRONLY, 0o644)
for i in range(0, 1200, 2):
    os.pwrite(fd, bytes([(i * 13) % 251]) * 4096, i * 4096)
os.close(fd)
PY
fallocate -l 1M prealloc
printf 'written' | dd of=prealloc bs=1 seek=300000 conv=notrunc status=none
fallocate -l 2M -n prealloc_beyond_eof 2>/dev/null || true
if [ "${2:-full}" = full ]; then
  mkdir bigdir
  python3 -c "
import os
for i in range(12000):
    open('bigdir/file-number-%06d' % i, 'w').close()
"
fi
sync
