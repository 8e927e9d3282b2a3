package io.switchyard.agent.logging;

import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Formats log records as one JSON object per line, the shape of component-base's JSON format
 * ({@code --logging-format=json}): {@code ts} (seconds since the epoch), {@code v} for
 * informational lines or {@code level} for warnings and errors, {@code caller}, {@code msg},
 * then every {@code key=value} pair of the message as a field of its own and {@code err} for an
 * attached exception.
 */
public final class JsonFormatter extends Formatter {

    /** A {@code key=} that starts a pair: a word after whitespace, then '='. */
    private static final Pattern KEY = Pattern.compile("(?<=\\s)([A-Za-z][A-Za-z0-9_.-]*)=");
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?");

    @Override
    public String format(LogRecord record) {
        StringBuilder json = new StringBuilder(200).append('{');
        long millis = record.getInstant().toEpochMilli();
        json.append("\"ts\":").append(String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000));
        Level level = record.getLevel();
        if (level.intValue() >= Level.SEVERE.intValue()) {
            json.append(",\"level\":\"error\"");
        } else if (level.intValue() >= Level.WARNING.intValue()) {
            json.append(",\"level\":\"warning\"");
        } else {
            json.append(",\"v\":").append(verbosity(level));
        }
        json.append(",\"caller\":");
        string(json, KlogFormatter.shortName(record.getLoggerName()));
        String message = formatMessage(record);
        Matcher keys = KEY.matcher(message);
        if (!keys.find()) {
            json.append(",\"msg\":");
            string(json, message.strip());
        } else {
            json.append(",\"msg\":");
            string(json, message.substring(0, keys.start()).strip());
            int valueStart = keys.end();
            String key = keys.group(1);
            while (true) {
                boolean more = keys.find();
                field(json, key, message.substring(valueStart, more ? keys.start() : message.length()).strip());
                if (!more) {
                    break;
                }
                valueStart = keys.end();
                key = keys.group(1);
            }
        }
        if (record.getThrown() != null) {
            json.append(",\"err\":");
            string(json, String.valueOf(record.getThrown().getMessage()));
        }
        return json.append("}\n").toString();
    }

    /** klog's V level of an informational record: INFO is 0, FINE (System.Logger DEBUG) 2, FINER (TRACE) 4. */
    private static int verbosity(Level level) {
        if (level.intValue() >= Level.INFO.intValue()) {
            return 0;
        }
        if (level.intValue() >= Level.FINE.intValue()) {
            return 2;
        }
        return level.intValue() >= Level.FINER.intValue() ? 4 : 6;
    }

    private static void field(StringBuilder json, String key, String value) {
        json.append(',');
        string(json, key);
        json.append(':');
        String unquoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
        if (unquoted == value && (NUMBER.matcher(value).matches() || value.equals("true") || value.equals("false"))) {
            json.append(value);
        } else {
            string(json, unquoted);
        }
    }

    private static void string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
