package io.vdetach.image;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What qcow2 and VMDK share: the guest disk classified piece by piece ({@link #classify}) into
 * stored data, zeros, compressed units and ranges left to the parent, which are looked up in the
 * parent one whole range at a time. A format supplies the classification and the decoding.
 */
public abstract class PiecewiseImage extends MappedLayer implements DiskImage {
    protected final DiskImage parent;

    protected PiecewiseImage(DiskImage parent) {
        this.parent = parent;
    }

    /** The piece of guest bytes starting at {@code pos}, ending at or before {@code limit}. */
    protected abstract Piece classify(long pos, long limit) throws IOException;

    /** Fills {@code dst} with the decoded guest bytes from {@code pos} of the compressed piece {@code p}. */
    protected abstract void readCompressed(Piece p, long pos, ByteBuffer dst) throws IOException;

    /** Why compressed pieces must be materialised ("compressed qcow2 cluster (zstd)"). */
    protected abstract String compressedReason();

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        long end = Math.min(size(), offset + length);
        if (offset < 0 || end <= offset) return List.of();
        List<Run> out = new ArrayList<>();
        long parentFrom = -1;
        for (long pos = offset; pos < end; ) {
            Piece p = classify(pos, end);
            if (p.kind() == Piece.Kind.PARENT) {
                if (parentFrom < 0) parentFrom = pos;
            } else {
                if (parentFrom >= 0) ParentRuns.append(parent, out, parentFrom, pos - parentFrom);
                parentFrom = -1;
                long n = p.end() - pos;
                ExtentMaps.appendMerging(out, switch (p.kind()) {
                    case DATA -> new Run.Mapped(pos, n, p.file(), p.host());
                    case COMPRESSED -> new Run.Materialise(pos, n, compressedReason());
                    default -> new Run.Hole(pos, n);
                });
            }
            pos = p.end();
        }
        if (parentFrom >= 0) ParentRuns.append(parent, out, parentFrom, end - parentFrom);
        return out;
    }

    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        for (long pos = run.start(); pos < run.end(); ) {
            Piece p = classify(pos, run.end());
            int limit = dst.limit();
            dst.limit(dst.position() + (int) (p.end() - pos));
            try {
                switch (p.kind()) {
                    case COMPRESSED -> readCompressed(p, pos, dst);
                    case PARENT -> ParentRuns.read(parent, pos, dst);
                    case ZERO -> zero(dst);
                    case DATA -> p.file().readFully(p.host(), dst);
                }
            } finally {
                dst.limit(limit);
            }
            pos = p.end();
        }
    }
}
