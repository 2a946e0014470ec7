package io.loligo.rgw.auth;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** The request-time formats signatures use: ISO 8601 basic (x-amz-date) and the HTTP dates. */
final class RequestTimes {
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
    private static final DateTimeFormatter RFC_850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.US);

    private RequestTimes() {}

    /** Parses x-amz-date's ISO 8601 basic form; null if it is not one. */
    static Instant parseAmzDate(String s) {
        try {
            return LocalDateTime.parse(s.strip(), AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Parses any date a client may send (x-amz-date or Date: ISO basic, RFC 1123, RFC 850, asctime); null if none fits. */
    static Instant parseAny(String s) {
        if (s == null) {
            return null;
        }
        Instant amz = parseAmzDate(s);
        if (amz != null) {
            return amz;
        }
        String t = s.strip();
        try {
            return ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            // next format
        }
        try {
            return ZonedDateTime.parse(t, RFC_850).toInstant();
        } catch (DateTimeParseException e) {
            // next format
        }
        try {
            return LocalDateTime.parse(t.replaceAll(" +", " "), ASCTIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String amzDate(Instant t) {
        return AMZ_DATE.format(t.atOffset(ZoneOffset.UTC));
    }
}
