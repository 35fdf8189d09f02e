package dev.scheduler.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "default" column of the first markdown table under a heading, by the name in the row's first column:
 * {@code | `lookAhead(Duration)` | 60 s | ...} gives {@code lookAhead -> "60 s"}.
 *
 * @param file the file, relative to the repository, for messages
 * @param heading the heading the table is under, without its {@code #}s
 * @param byName the default of each row, in the order of the table
 */
record DocumentedDefaults(String file, String heading, Map<String, String> byName) {

    private static final Pattern HEADING = Pattern.compile("#+\\s+(.*)");
    private static final Pattern ROW_NAME = Pattern.compile("`(\\w+)");

    /** Reads the table under {@code heading} in {@code file} (relative to {@code repository}). */
    static DocumentedDefaults read(Path repository, String file, String heading) {
        List<String> lines;
        try {
            lines = Files.readAllLines(repository.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " in " + repository, e);
        }
        int at = 0;
        while (at < lines.size() && !isHeading(lines.get(at), heading)) {
            at++;
        }
        if (at == lines.size()) {
            throw new AssertionError(file + " has no heading " + heading);
        }
        at++;
        while (at < lines.size() && !lines.get(at).startsWith("|")) {
            if (HEADING.matcher(lines.get(at)).matches()) {
                throw new AssertionError(file + " has no table under the heading " + heading);
            }
            at++;
        }
        if (at == lines.size()) {
            throw new AssertionError(file + " has no table under the heading " + heading);
        }
        List<String> header = cells(lines.get(at));
        int defaultColumn = header.indexOf("default");
        if (defaultColumn < 0) {
            throw new AssertionError(
                    "the table under " + heading + " in " + file + " has no column 'default': " + header);
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (at += 2; at < lines.size() && lines.get(at).startsWith("|"); at++) {
            List<String> row = cells(lines.get(at));
            Matcher name = ROW_NAME.matcher(row.get(0));
            if (!name.find() || row.size() <= defaultColumn) {
                throw new AssertionError(file + ", under " + heading
                        + ": row without a `name` in its first column, or without a default: " + lines.get(at));
            }
            if (byName.put(name.group(1), row.get(defaultColumn)) != null) {
                throw new AssertionError(file + ", under " + heading + ": two rows for `" + name.group(1) + "`");
            }
        }
        return new DocumentedDefaults(file, heading, byName);
    }

    private static boolean isHeading(String line, String heading) {
        Matcher m = HEADING.matcher(line);
        return m.matches() && m.group(1).strip().equals(heading);
    }

    private static List<String> cells(String row) {
        String inner = row.strip().replaceAll("^\\|", "").replaceAll("\\|$", "");
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }
}
