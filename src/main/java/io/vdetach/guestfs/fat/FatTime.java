package io.vdetach.guestfs.fat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * FAT date and time fields (fatgen103 section 6.4): local time without a zone. The fields are
 * turned into seconds arithmetically, as Linux's fat_time_fat2unix does, so out-of-range values
 * (month 0, day 31 of February, hour 31) give a time instead of an error.
 */
final class FatTime {
    private FatTime() {}

    /** Cumulative days before each month of a non-leap year. */
    private static final int[] DAYS_BEFORE = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    /**
     * @param date the 16-bit date: day 0-4, month 5-8, years since 1980 9-15
     * @param time the 16-bit time: 2-second count 0-4, minutes 5-10, hours 11-15 (0 for date-only fields)
     * @param centis hundredths of a second to add (creation time: 0-199), else 0
     */
    static Instant toInstant(int date, int time, int centis, ZoneId zone) {
        int year = 1980 + (date >>> 9);
        int month = Math.max(1, Math.min(12, (date >>> 5) & 0xf));
        int day = Math.max(1, date & 0x1f);
        long days = java.time.LocalDate.of(year, 1, 1).toEpochDay() + DAYS_BEFORE[month - 1] + day - 1;
        if (month > 2 && java.time.Year.isLeap(year)) days++;
        long secs = days * 86400 + (time >>> 11) * 3600L + ((time >>> 5) & 0x3f) * 60L + (time & 0x1f) * 2L
                + centis / 100;
        int nanos = (centis % 100) * 10_000_000;
        if (zone.equals(ZoneOffset.UTC)) return Instant.ofEpochSecond(secs, nanos);
        LocalDateTime local = LocalDateTime.ofEpochSecond(secs, nanos, ZoneOffset.UTC);
        return local.atZone(zone).toInstant();
    }
}
