package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.sys.Linux;
import io.vdetach.testkit.Sh;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine without units (copy mode, dump, share-mode hashing) keeps no batch it has finished:
 * the list of batches a unit's hook waits for was once filled without units too, and kept every
 * batch, and through its leases every file's plan, to the end of the run (~1 KB a file at a
 * million files, docs/benchmarks.md "Scale"). After the last batch is written, with the engine
 * itself still in use, no target it was given is reachable any more.
 */
class OrderedCopyReleaseTest {
    /** More than one batch holds: batches name at most 1,024 files. */
    private static final int FILES = 3000;
    private static final int PIECE = 4096;

    /** A host file the engine writes; nothing else refers to it. */
    private record FileTarget(Path path) implements OrderedCopy.Target {
        @Override
        public TargetFile open() {
            return new TargetFile(Linux.open(path.toString(), Linux.O_WRONLY | Linux.O_CREAT, 0600));
        }

        @Override
        public void release(TargetFile file, boolean last, boolean ok) {
            if (file != null) file.close();
        }
    }

    @Test
    void finishedBatchesAreNotKept() throws Exception {
        Path dir = Files.createTempDirectory("vdetach-release");
        try {
            byte[] image = new byte[256 * PIECE];
            new Random(19).nextBytes(image);
            Path src = dir.resolve("image");
            Files.write(src, image);
            List<WeakReference<Object>> given = new ArrayList<>();
            try (SourceFiles sources = new SourceFiles(); HostFile img = HostFile.open(src);
                 OrderedCopy engine = new OrderedCopy(sources, 0)) {
                for (int i = 0; i < FILES; i++) {
                    FileTarget t = new FileTarget(dir.resolve("f" + i));
                    engine.piece(t, 0, PIECE, img, (long) (i % 256) * PIECE);
                    engine.end(t);
                    given.add(new WeakReference<>(t));
                }
                engine.drain();
                for (int i = 0; i < 20 && given.stream().anyMatch(r -> r.get() != null); i++) {
                    System.gc();
                    Thread.sleep(20);
                }
                assertThat(given.stream().filter(r -> r.get() != null).count()).as("targets still reachable from the engine")
                        .isZero();
            }
            for (int i : new int[] {0, 1, 255, 256, FILES - 1}) {
                int at = (i % 256) * PIECE;
                assertThat(Files.readAllBytes(dir.resolve("f" + i))).isEqualTo(Arrays.copyOfRange(image, at, at + PIECE));
            }
        } finally {
            Sh.exec(null, "rm", "-rf", dir.toString());
        }
    }
}
