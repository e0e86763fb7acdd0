package io.vdetach.guestfs.exfat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;

/**
 * exFAT timestamps (section 7.4.8): local date and time fields, a 10 ms increment and a UTC
 * offset in 15-minute steps. With a valid offset the result is exact; without one the fields are
 * read as UTC, as Linux does with its default time_offset.
 */
final class ExfatTime {
    private ExfatTime() {}

    private static final int[] DAYS_BEFORE = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    /**
     * @param ts DoubleSeconds 0-4, Minute 5-10, Hour 11-15, Day 16-20, Month 21-24, Year (since 1980) 25-31
     * @param tenMs 10 ms increments, 0-199 (values above are cut to 199)
     * @param utcOffset bit 7 OffsetValid, bits 0-6 a signed count of 15-minute steps
     */
    static Instant toInstant(long ts, int tenMs, int utcOffset) {
        int year = 1980 + (int) ((ts >>> 25) & 0x7f);
        int month = (int) Math.max(1, Math.min(12, (ts >>> 21) & 0xf));
        int day = (int) Math.max(1, (ts >>> 16) & 0x1f);
        long days = LocalDate.of(year, 1, 1).toEpochDay() + DAYS_BEFORE[month - 1] + day - 1;
        if (month > 2 && Year.isLeap(year)) days++;
        int cs = Math.min(tenMs, 199);
        long secs = days * 86400 + ((ts >>> 11) & 0x1f) * 3600 + ((ts >>> 5) & 0x3f) * 60 + (ts & 0x1f) * 2 + cs / 100;
        if ((utcOffset & 0x80) != 0) {
            int steps = (utcOffset & 0x7f) >= 0x40 ? (utcOffset & 0x7f) - 0x80 : utcOffset & 0x7f;
            secs -= steps * 15L * 60;
        }
        return Instant.ofEpochSecond(secs, (cs % 100) * 10_000_000L);
    }
}
