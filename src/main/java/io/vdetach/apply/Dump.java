package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.error.LockedVolumeException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.plan.Mode;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import io.vdetach.volume.bitlocker.BitLockerVolume;
import io.vdetach.volume.bitlocker.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * dump: the whole guest disk (chains resolved), or one volume of it (--volume; BitLocker decrypted),
 * into a new file OUT, as a sparse raw file. Holes
 * stay holes; runs that lie as-is in an image file go through the {@link OrderedCopy} engine
 * (reads and writes, so OUT may be on any filesystem); the rest (compressed clusters, …) is
 * decoded here and written where it is not all zeros. An OUT that exists is refused untouched; a
 * failed dump removes the OUT it created.
 */
public final class Dump {
    private Dump() {}

    /** @param volume null for the whole disk, or one volume by name or number (as --volume elsewhere) */
    public record Request(ImageSource image, Path out, String volume) {
        public Request(ImageSource image, Path out) {
            this(image, out, null);
        }
    }

    /** @param bytesCopied guest bytes read as-is from image files; @param bytesDecoded through the format; @param bytesSparse holes */
    public record Result(long virtualSize, long bytesCopied, long bytesDecoded, long bytesSparse, double seconds) {}

    /** Guest bytes mapped per step: bounds the run list a format builds at once. */
    private static final long STEP = 256L << 20;

    /** OUT as the engine's one target: open for the whole dump, closed by run(). */
    private record Out(TargetFile open) implements OrderedCopy.Target {
        @Override
        public void release(TargetFile f, boolean last, boolean ok) { }

        @Override
        public boolean sparse() {
            return true;
        }
    }

    /**
     * One volume's bytes: a BitLocker volume decrypted (its clear key or the secrets unlock it;
     * a locked one is refused rather than written as ciphertext).
     */
    static Layer volume(DiskImage disk, String name, Secrets secrets) throws IOException {
        List<Volume> volumes = VolumeScanner.scan(disk);
        Volume v = null;
        for (Volume x : volumes) if (x.name().equals(name)) v = x;
        if (v == null && name.matches("[0-9]{1,9}")) {
            int n = Integer.parseInt(name);
            if (n >= 1 && n <= volumes.size()) v = volumes.get(n - 1);
        }
        if (v == null) throw new UsageException("--volume " + name + ": no such volume in the image (see vdetach ls)");
        BitLockerVolume bl = BitLockerVolume.detect(v.layer());
        if (bl == null) return v.layer();
        BitLockerVolume.Unlocked u = bl.unlock(secrets);
        if (u == null) {
            throw new LockedVolumeException("bitlocker", -1, "volume " + v.name() + " (" + bl.info().summary()
                    + ") is locked: give --password, --password-file, --recovery-password or --key-file"
                    + " (dump without --volume writes the disk as stored)");
        }
        return u.layer();
    }

    public static Result run(Request r) throws IOException {
        long t0 = System.nanoTime();
        try (DiskImage disk = r.image().openDisk()) {
            Layer img = r.volume() == null ? disk : volume(disk, r.volume(), r.image().mount().secrets());
            Fd fd;
            try {
                fd = Linux.open(r.out().toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW, 0644);
            } catch (SysException e) {
                if (e.is(Errno.EEXIST)) throw new HostException(r.out() + " exists: not overwritten");
                throw e;
            }
            boolean done = false;
            TargetFile file = new TargetFile(fd);
            try (SourceFiles sources = new SourceFiles(); OrderedCopy engine = new OrderedCopy(sources, 0)) {
                Out out = new Out(file);
                engine.add(out);
                ContentWriter decoder = new ContentWriter(sources, Mode.COPY, ImageReads.ALIGN);
                long copied = 0, decoded = 0, holes = 0;
                for (long pos = 0; pos < img.size(); pos += STEP) {
                    List<PlannedRun> decode = new ArrayList<>();
                    for (Run run : ExtentMaps.toHostFiles(img, pos, Math.min(STEP, img.size() - pos))) {
                        switch (run) {
                            case Run.Hole h -> holes += h.length();
                            case Run.Mapped m -> {
                                engine.piece(out, m.start(), m.length(), (HostFile) m.target(), m.offset());
                                copied += m.length();
                            }
                            case Run.Materialise x -> {
                                decode.add(new PlannedRun(x.start(), x.length(), RunClass.MATERIALISE, null, 0, "", false));
                                decoded += x.length();
                            }
                        }
                    }
                    if (!decode.isEmpty()) decoder.write(fd, decode, img, img.size(), false);
                }
                engine.end(out);
                engine.drain();
                Linux.ftruncate(fd, img.size());
                Linux.fsync(fd);
                done = true;
                return new Result(img.size(), copied, decoded, holes, (System.nanoTime() - t0) / 1e9);
            } finally {
                file.close();
                if (!done) Files.deleteIfExists(r.out());
            }
        }
    }
}
