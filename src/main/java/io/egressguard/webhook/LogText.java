package io.egressguard.webhook;

/**
 * A value from a request made safe for a log line: control characters (line breaks above all, which would
 * let a caller forge whole log lines) are escaped as {@code \n}, {@code \r}, {@code \t} or {@code \\uXXXX},
 * and the value is cut to {@value #MAX} characters so that one request cannot flood the log.
 */
public final class LogText {

    static final int MAX = 256;

    private LogText() {
    }

    public static String of(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (sb.length() >= MAX) {
                sb.append("...(").append(value.length()).append(" chars)");
                break;
            }
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
