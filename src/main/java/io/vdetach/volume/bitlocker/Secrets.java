package io.vdetach.volume.bitlocker;

import io.vdetach.error.UsageException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the user gave to unlock encrypted volumes: passwords (--password, or the first line of
 * --password-file, so the secret is not in ps), recovery passwords (checked for form here), and
 * startup keys read from .BEK files. Each is tried against the protectors of its kind.
 */
public record Secrets(List<String> passwords, List<String> recoveryPasswords, List<StartupKey> startupKeys) {

    public static final Secrets NONE = new Secrets(List.of(), List.of(), List.of());

    public Secrets {
        passwords = List.copyOf(passwords);
        recoveryPasswords = List.copyOf(recoveryPasswords);
        startupKeys = List.copyOf(startupKeys);
    }

    public boolean isEmpty() {
        return passwords.isEmpty() && recoveryPasswords.isEmpty() && startupKeys.isEmpty();
    }

    /**
     * Reads the files named on the command line now, so a missing or malformed one is a usage
     * error (exit 2) before any image is opened.
     */
    public static Secrets read(List<String> passwords, List<Path> passwordFiles, List<String> recoveryPasswords, List<Path> keyFiles) {
        List<String> pw = new ArrayList<>(passwords);
        for (Path p : passwordFiles) pw.add(firstLine(p));
        for (String rp : recoveryPasswords) {
            try {
                RecoveryPassword.key(rp);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--recovery-password: " + e.getMessage());
            }
        }
        List<StartupKey> keys = new ArrayList<>();
        for (Path p : keyFiles) {
            try {
                keys.add(StartupKey.parse(bytes(p, "--key-file"), p.toString()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--key-file " + p + ": not a BitLocker startup key (.BEK) file: " + e.getMessage());
            }
        }
        return new Secrets(pw, recoveryPasswords, keys);
    }

    /** The password a --password-file holds: its first line, UTF-8, without the line end. */
    private static String firstLine(Path p) {
        byte[] b = bytes(p, "--password-file");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new UsageException("--password-file " + p + ": not UTF-8 text");
        }
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static byte[] bytes(Path p, String option) {
        try {
            if (!Files.isRegularFile(p)) throw new UsageException(option + " " + p + ": no such file");
            if (Files.size(p) > StartupKey.MAX_FILE) throw new UsageException(option + " " + p + ": larger than " + StartupKey.MAX_FILE + " bytes");
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UsageException(option + " " + p + ": cannot be read: " + e.getMessage());
        }
    }

    /** Never prints the secrets themselves. */
    @Override
    public String toString() {
        return "Secrets[" + passwords.size() + " passwords, " + recoveryPasswords.size() + " recovery passwords, "
                + startupKeys.size() + " startup keys]";
    }
}
