package io.vdetach.api;

import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.OpenOptions;
import io.vdetach.volume.bitlocker.Secrets;
import io.vdetach.volume.vss.StoreSelection;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Image#open(Path, ImageOptions)} reads an image: immutable; each {@code with…}
 * returns a copy. The defaults read the active layer, follow parent files only inside the image's
 * directory, read no shadow copies and unlock nothing.
 *
 * <pre>{@code
 * ImageOptions o = ImageOptions.defaults().withSnapshot("before-upgrade").withRecoveryPassword("123456-…");
 * }</pre>
 */
public final class ImageOptions {
    private static final ImageOptions DEFAULTS = new ImageOptions(null, false, false, 0, false, ZoneOffset.UTC,
            MountOptions.CP437, List.of(), List.of(), List.of(), List.of(), false);

    /** {@link #shadowCopies()}: every store next to its live volume. */
    public static final int ALL_SHADOW_COPIES = -1;

    private final String snapshot;
    private final boolean allowOutsideParents;
    private final boolean allowMissingDelta;
    private final int shadowCopies;
    private final boolean systemFiles;
    private final ZoneId fatZone;
    private final Charset fatCodePage;
    private final List<String> passwords;
    private final List<Path> passwordFiles;
    private final List<String> recoveryPasswords;
    private final List<Path> keyFiles;
    private final boolean ntfsXattrs;

    private ImageOptions(String snapshot, boolean allowOutsideParents, boolean allowMissingDelta, int shadowCopies,
                         boolean systemFiles, ZoneId fatZone, Charset fatCodePage, List<String> passwords,
                         List<Path> passwordFiles, List<String> recoveryPasswords, List<Path> keyFiles,
                         boolean ntfsXattrs) {
        this.snapshot = snapshot;
        this.allowOutsideParents = allowOutsideParents;
        this.allowMissingDelta = allowMissingDelta;
        this.shadowCopies = shadowCopies;
        this.systemFiles = systemFiles;
        this.fatZone = fatZone;
        this.fatCodePage = fatCodePage;
        this.passwords = List.copyOf(passwords);
        this.passwordFiles = List.copyOf(passwordFiles);
        this.recoveryPasswords = List.copyOf(recoveryPasswords);
        this.keyFiles = List.copyOf(keyFiles);
        this.ntfsXattrs = ntfsXattrs;
    }

    public static ImageOptions defaults() { return DEFAULTS; }

    /** The internal snapshot to read (qcow2), by id or name; null for the active layer. */
    public String snapshot() { return snapshot; }

    /** Follow backing, parent and extent files that resolve outside the image's directory. */
    public boolean allowOutsideParents() { return allowOutsideParents; }

    /** Read a chain below a missing or unreadable link instead of failing (reports say so). */
    public boolean allowMissingDelta() { return allowMissingDelta; }

    /**
     * NTFS shadow copies (VSS): 0 for the live volumes only; {@code n} reads each volume as at store
     * {@code n} (volume {@code p1@vss<n>}); {@link #ALL_SHADOW_COPIES} adds every store as a volume of
     * its own ({@code p1@vss1}, {@code p1@vss2}, …) next to the live one.
     */
    public int shadowCopies() { return shadowCopies; }

    /** Also show filesystem metadata files (NTFS {@code $MFT}, {@code $LogFile}, …). */
    public boolean systemFiles() { return systemFiles; }

    /** The zone FAT's local timestamps were written in (UTC by default, as Linux's vfat). */
    public ZoneId fatZone() { return fatZone; }

    /** The OEM code page of FAT 8.3 names (437 by default, as Linux's vfat). */
    public Charset fatCodePage() { return fatCodePage; }

    public List<String> passwords() { return passwords; }

    public List<Path> passwordFiles() { return passwordFiles; }

    public List<String> recoveryPasswords() { return recoveryPasswords; }

    public List<Path> keyFiles() { return keyFiles; }

    /**
     * Also give NTFS files and directories {@code user.ntfs.crtime} and {@code user.ntfs.attrib}
     * xattrs (the CLI's {@code --ntfs-xattrs}); without it creation time and attributes are
     * {@link Entry#crtime()} and {@link Entry#fileAttributes()} only.
     */
    public boolean ntfsXattrs() { return ntfsXattrs; }

    public ImageOptions withSnapshot(String idOrName) {
        return new ImageOptions(idOrName, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    public ImageOptions withAllowOutsideParents(boolean allow) {
        return new ImageOptions(snapshot, allow, allowMissingDelta, shadowCopies, systemFiles, fatZone, fatCodePage,
                passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    public ImageOptions withAllowMissingDelta(boolean allow) {
        return new ImageOptions(snapshot, allowOutsideParents, allow, shadowCopies, systemFiles, fatZone, fatCodePage,
                passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    /**
     * @param store 0 for none, a store number (1 = oldest) or {@link #ALL_SHADOW_COPIES}
     * @throws IllegalArgumentException for any other number
     */
    public ImageOptions withShadowCopies(int store) {
        if (store < ALL_SHADOW_COPIES) throw new IllegalArgumentException("shadow copy store " + store + ": 0, a store number or ALL_SHADOW_COPIES");
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, store, systemFiles, fatZone, fatCodePage,
                passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    public ImageOptions withSystemFiles(boolean show) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, show, fatZone, fatCodePage,
                passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    public ImageOptions withFatZone(ZoneId zone) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles,
                Objects.requireNonNull(zone), fatCodePage, passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    public ImageOptions withFatCodePage(Charset codePage) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                Objects.requireNonNull(codePage), passwords, passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    /**
     * The code page called {@code name} as vfat's {@code codepage=} and DOS name them ("437", "850",
     * "cp852", "IBM866", "932").
     *
     * @throws IllegalArgumentException when Java has no such charset
     */
    public ImageOptions withFatCodePage(String name) {
        Charset cs = MountOptions.codePage(name);
        if (cs == null) throw new IllegalArgumentException("unknown code page " + name);
        return withFatCodePage(cs);
    }

    /** Adds a BitLocker password (tried against every password protector). */
    public ImageOptions withPassword(String password) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, plus(passwords, password), passwordFiles, recoveryPasswords, keyFiles, ntfsXattrs);
    }

    /** Adds a BitLocker password read from the first line of {@code file} (UTF-8) when the image is opened. */
    public ImageOptions withPasswordFile(Path file) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, passwords, plus(passwordFiles, file), recoveryPasswords, keyFiles, ntfsXattrs);
    }

    /** Adds a 48-digit BitLocker recovery password ({@code 123456-…-123456}). */
    public ImageOptions withRecoveryPassword(String recoveryPassword) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, passwords, passwordFiles, plus(recoveryPasswords, recoveryPassword), keyFiles, ntfsXattrs);
    }

    /** Adds a BitLocker startup key file ({@code .BEK}). */
    public ImageOptions withKeyFile(Path file) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, passwords, passwordFiles, recoveryPasswords, plus(keyFiles, file), ntfsXattrs);
    }

    public ImageOptions withNtfsXattrs(boolean give) {
        return new ImageOptions(snapshot, allowOutsideParents, allowMissingDelta, shadowCopies, systemFiles, fatZone,
                fatCodePage, passwords, passwordFiles, recoveryPasswords, keyFiles, give);
    }

    private static <T> List<T> plus(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(Objects.requireNonNull(item));
        return out;
    }

    OpenOptions openOptions() {
        return new OpenOptions(snapshot, allowOutsideParents, allowMissingDelta);
    }

    /** Reads the password and key files now: a missing or malformed one is a usage error. */
    MountOptions mountOptions() {
        Secrets secrets = passwords.isEmpty() && passwordFiles.isEmpty() && recoveryPasswords.isEmpty() && keyFiles.isEmpty()
                ? Secrets.NONE : Secrets.read(passwords, passwordFiles, recoveryPasswords, keyFiles);
        StoreSelection stores = switch (shadowCopies) {
            case 0 -> StoreSelection.NONE;
            case ALL_SHADOW_COPIES -> StoreSelection.ALL;
            default -> new StoreSelection.One(shadowCopies);
        };
        return new MountOptions(fatZone, systemFiles, fatCodePage, secrets, stores, ntfsXattrs);
    }
}
