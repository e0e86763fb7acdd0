package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.OpenOptions;
import picocli.CommandLine.Option;

/** Options of every command that opens an image. */
final class ImageOptions {
    @Option(names = "--snapshot", paramLabel = "NAME|ID", description = "Read this internal snapshot (qcow2); refused for formats without them.")
    String snapshot;

    @Option(names = "--allow-outside-parents",
            description = "Follow backing/parent/extent files that resolve outside the image's directory.")
    boolean allowOutside;

    @Option(names = "--json", description = "Print one JSON object at the end instead of text.")
    boolean json;

    @Option(names = "--fat-tz", paramLabel = "ZONE", description = "Time zone FAT timestamps were written in (default UTC, as Linux's vfat): e.g. Europe/Berlin.")
    String fatTz = "UTC";

    @Option(names = "--system", description = "Also show and extract filesystem metadata files (NTFS $MFT, $LogFile, …).")
    boolean system;

    @Option(names = "--ntfs-xattrs", description = "Also write NTFS creation times and attributes as user.ntfs.crtime and"
            + " user.ntfs.attrib xattrs on every file (the manifest and bodyfile carry them anyway).")
    boolean ntfsXattrs;

    MountOptions mountOptions() {
        try {
            return new MountOptions(java.time.ZoneId.of(fatTz), system, ntfsXattrs);
        } catch (java.time.DateTimeException e) {
            throw new UsageException("--fat-tz: unknown time zone " + fatTz);
        }
    }

    OpenOptions openOptions() {
        return new OpenOptions(snapshot, allowOutside);
    }
}
