#!/usr/bin/env python3
"""A deterministic guest tree of N entries for bench/scale.sh (issue 19).

  scale-tree.py ROOT N SEED  -> writes the tree under ROOT, prints its counts as shell assignments

~N/1000 leaf directories under two levels of parents (a*/b*/), of varied sizes (a heavy-tailed
draw: most hold tens to hundreds of entries, a few tens of thousands); in them regular files, 40 %
empty, 55 % of 1-300 bytes, 5 % of 301 B-16 KiB; 1 % hard links to a file of another directory and
1 % symbolic links (relative, to a file of the same or another directory).
"""
import os
import random
import sys

root, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
pool = rnd.randbytes(1 << 20)
ndirs = max(1, n // 1000)
weights = [min(rnd.paretovariate(1.1), 60.0) for _ in range(ndirs)]
total = sum(weights)
sizes = [max(1, int(n * w / total)) for w in weights]
sizes[0] += n - sum(sizes)  # the rounding left over goes to the first directory
if sizes[0] < 1:
    sizes[0] = 1
dirs = [f"a{i % 10}/b{i % 100:02d}/d{i:05d}" for i in range(ndirs)]
files = hardlinks = symlinks = empty = data_bytes = 0
made = []  # paths of regular files made so far (relative to root): link targets
for d, count in zip(dirs, sizes):
    os.makedirs(os.path.join(root, d), exist_ok=True)
    for j in range(count):
        r = rnd.random()
        rel = f"{d}/f{j:06d}"
        path = os.path.join(root, rel)
        if r < 0.01 and made:
            os.link(os.path.join(root, rnd.choice(made)), path + ".hl")
            hardlinks += 1
        elif r < 0.02 and made:
            target = rnd.choice(made)
            os.symlink(os.path.relpath(os.path.join(root, target), os.path.join(root, d)), path + ".sl")
            symlinks += 1
        else:
            s = rnd.random()
            size = 0 if s < 0.40 else rnd.randint(1, 300) if s < 0.95 else rnd.randint(301, 16384)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            if size:
                off = rnd.randrange(0, len(pool) - size)
                os.write(fd, pool[off:off + size])
            else:
                empty += 1
            os.close(fd)
            files += 1
            data_bytes += size
            if len(made) < 100000 or rnd.random() < 0.1:
                made.append(rel)
print(f"ENTRIES={files + hardlinks + symlinks} FILES={files} EMPTY={empty} HARDLINKS={hardlinks} "
      f"SYMLINKS={symlinks} DIRS={ndirs} LARGEST_DIR={max(sizes)} DATA_BYTES={data_bytes}")
