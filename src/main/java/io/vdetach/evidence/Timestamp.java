package io.vdetach.evidence;

import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A guest time with the precision its filesystem stores: ext4 and XFS keep nanoseconds, NTFS
 * 100 ns, exFAT 10 ms, FAT's modification time 2 s and its access time a day. Written as RFC 3339
 * (UTC, as many fraction digits as the precision has, none for whole seconds), as epoch
 * nanoseconds, and as bodyfile seconds with a fraction.
 *
 * @param fractionDigits decimal digits of a second the filesystem stores: 9, 7, 2 or 0
 */
public record Timestamp(Instant instant, int fractionDigits) {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);

    public Timestamp {
        if (fractionDigits < 0 || fractionDigits > 9) throw new IllegalArgumentException("fraction digits " + fractionDigits);
    }

    /** "2023-11-14T22:13:20.123456789Z", the fraction cut to the stored precision. */
    public String rfc3339() {
        StringBuilder b = new StringBuilder(SECONDS.format(instant));
        if (fractionDigits > 0) b.append('.').append(fraction());
        return b.append('Z').toString();
    }

    /** Seconds since the epoch with the stored fraction, for a bodyfile: "1700000000.123456789", "-1.5". */
    public String bodyfileSeconds() {
        long s = instant.getEpochSecond();
        int n = instant.getNano();
        if (fractionDigits == 0 || n == 0) return Long.toString(s);
        // a negative time with a fraction: -1.5 is epochSecond -2 plus 0.5
        if (s < 0) {
            long whole = s + 1;
            int frac = 1_000_000_000 - n;
            return (whole == 0 ? "-0" : Long.toString(whole)) + "." + digits(frac);
        }
        return s + "." + fraction();
    }

    /** Nanoseconds since the epoch: a Long where it fits (until 2262), else a BigInteger. */
    public Number epochNanos() {
        long s = instant.getEpochSecond();
        try {
            return Math.addExact(Math.multiplyExact(s, 1_000_000_000L), instant.getNano());
        } catch (ArithmeticException e) {
            return BigInteger.valueOf(s).multiply(BILLION).add(BigInteger.valueOf(instant.getNano()));
        }
    }

    private String fraction() {
        return digits(instant.getNano());
    }

    private String digits(int nanos) {
        return String.format("%09d", nanos).substring(0, fractionDigits);
    }
}
