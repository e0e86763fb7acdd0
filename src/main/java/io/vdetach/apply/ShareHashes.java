package io.vdetach.apply;

import io.vdetach.evidence.FileHasher;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Hashing in share mode, which never reads the bytes it shares (FICLONERANGE) and copies tails
 * inside the kernel (copy_file_range): the files' runs that lie in image files are read here, in
 * image order with long direct reads, by an {@link OrderedCopy} engine of its own whose targets
 * only hash; it runs beside the writer threads. Decoded runs are hashed where they are decoded.
 */
final class ShareHashes implements AutoCloseable {
    private final OrderedCopy engine;

    /** A file's hasher as an engine target that writes nothing. */
    private record HashOnly(FileHasher hasher) implements OrderedCopy.Target {
        @Override
        public TargetFile open() {
            throw new IllegalStateException("a hash-only target opens no file");
        }

        @Override
        public void release(TargetFile file, boolean last, boolean ok) { }

        @Override
        public boolean writes() {
            return false;
        }

        @Override
        public void consumed(ByteBuffer bytes, long fileOffset) {
            hasher.offer(fileOffset, bytes);
        }
    }

    ShareHashes(SourceFiles sources) {
        this.engine = new OrderedCopy(sources, 0, true);
    }

    /** Walker thread: queues the runs of a file that lie in image files (shared or copied) for its hasher. */
    void add(FileHasher hasher, List<PlannedRun> runs) throws IOException {
        HashOnly t = null;
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.SHARE && r.kind() != RunClass.COPY) continue;
            if (t == null) t = new HashOnly(hasher);
            engine.piece(t, r.fileOffset(), r.length(), r.source(), r.sourceOffset());
        }
        if (t != null) engine.end(t);
    }

    /** After the walk: waits until every queued byte is hashed. */
    void drain() throws IOException {
        engine.drain();
    }

    @Override
    public void close() {
        engine.close();
    }
}
