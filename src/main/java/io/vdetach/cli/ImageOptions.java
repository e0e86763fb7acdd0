package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.OpenOptions;
import io.vdetach.volume.bitlocker.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.vdetach.volume.vss.StoreSelection;
import picocli.CommandLine.Option;

/** Options of every command that opens an image. */
final class ImageOptions {
    @Option(names = "--snapshot", paramLabel = "NAME|ID", description = "Read this internal snapshot (qcow2); refused for formats without them.")
    String snapshot;

    @Option(names = "--allow-outside-parents",
            description = "Follow backing/parent/extent files that resolve outside the image's directory.")
    boolean allowOutside;

    @Option(names = "--allow-missing-delta",
            description = "A chain link that is missing or unreadable: read the images below it instead, and say so.")
    boolean allowMissingDelta;

    @Option(names = "--json", description = "Print one JSON object at the end instead of text.")
    boolean json;

    @Option(names = "--fat-tz", paramLabel = "ZONE", description = "Time zone FAT timestamps were written in (default UTC, as Linux's vfat): e.g. Europe/Berlin.")
    String fatTz = "UTC";

    @Option(names = "--fat-codepage", paramLabel = "NAME", description = "OEM code page of FAT 8.3 names (default 437, as Linux's vfat): e.g. 850, 852, 866, 932.")
    String fatCodePage = "437";

    @Option(names = "--system", description = "Also show and extract filesystem metadata files (NTFS $MFT, $LogFile, …).")
    boolean system;

    @Option(names = "--password", paramLabel = "PW",
            description = "Unlock BitLocker volumes with this password (repeatable; --password-file keeps it out of ps).")
    List<String> passwords = new ArrayList<>();

    @Option(names = "--password-file", paramLabel = "FILE", description = "Unlock BitLocker volumes with the password on FILE's first line (UTF-8).")
    List<Path> passwordFiles = new ArrayList<>();

    @Option(names = "--recovery-password", paramLabel = "RP",
            description = "Unlock BitLocker volumes with this 48-digit recovery password (123456-...-123456; repeatable).")
    List<String> recoveryPasswords = new ArrayList<>();

    @Option(names = "--key-file", paramLabel = "FILE.BEK", description = "Unlock BitLocker volumes with this startup key file (repeatable).")
    List<Path> keyFiles = new ArrayList<>();

    @Option(names = "--vss", paramLabel = "N|all", description = "NTFS shadow copies (VSS): read each volume as at store N"
            + " (volume <name>@vssN), or all stores next to the live volume (vdetach ls lists them).")
    String vss;

    @Option(names = "--ntfs-xattrs", description = "Also write NTFS creation times and attributes as user.ntfs.crtime and"
            + " user.ntfs.attrib xattrs on every file (the manifest and bodyfile carry them anyway).")
    boolean ntfsXattrs;

    MountOptions mountOptions() {
        java.nio.charset.Charset cp = MountOptions.codePage(fatCodePage);
        if (cp == null) throw new UsageException("--fat-codepage: unknown code page " + fatCodePage);
        Secrets secrets = Secrets.read(passwords, passwordFiles, recoveryPasswords, keyFiles);
        try {
            return new MountOptions(java.time.ZoneId.of(fatTz), system, cp, secrets, storeSelection(), ntfsXattrs);
        } catch (java.time.DateTimeException e) {
            throw new UsageException("--fat-tz: unknown time zone " + fatTz);
        }
    }

    StoreSelection storeSelection() {
        if (vss == null) return StoreSelection.NONE;
        if (vss.equals("all")) return StoreSelection.ALL;
        try {
            int n = Integer.parseInt(vss);
            if (n >= 1) return new StoreSelection.One(n);
        } catch (NumberFormatException ignored) {
            // the usage error below
        }
        throw new UsageException("--vss: a store number (1, 2, …) or \"all\", not " + vss);
    }

    /**
     * The same options for the library ({@link io.vdetach.api.Image#open}): the code page, zone and
     * store number are checked here with the same usage errors; password and key files are read
     * when the image is opened.
     */
    io.vdetach.api.ImageOptions apiOptions() {
        java.nio.charset.Charset cp = MountOptions.codePage(fatCodePage);
        if (cp == null) throw new UsageException("--fat-codepage: unknown code page " + fatCodePage);
        java.time.ZoneId zone;
        try {
            zone = java.time.ZoneId.of(fatTz);
        } catch (java.time.DateTimeException e) {
            throw new UsageException("--fat-tz: unknown time zone " + fatTz);
        }
        io.vdetach.api.ImageOptions o = io.vdetach.api.ImageOptions.defaults().withSnapshot(snapshot)
                .withAllowOutsideParents(allowOutside).withAllowMissingDelta(allowMissingDelta).withSystemFiles(system)
                .withFatZone(zone).withFatCodePage(cp).withNtfsXattrs(ntfsXattrs)
                .withShadowCopies(switch (storeSelection()) {
                    case StoreSelection.One one -> one.index();
                    case StoreSelection.All all -> io.vdetach.api.ImageOptions.ALL_SHADOW_COPIES;
                    case StoreSelection.None none -> 0;
                });
        for (String pw : passwords) o = o.withPassword(pw);
        for (Path f : passwordFiles) o = o.withPasswordFile(f);
        for (String rp : recoveryPasswords) o = o.withRecoveryPassword(rp);
        for (Path f : keyFiles) o = o.withKeyFile(f);
        return o;
    }

    OpenOptions openOptions() {
        return new OpenOptions(snapshot, allowOutside, allowMissingDelta);
    }
}
