package dev.scheduler.examples;

import java.io.PrintStream;

/**
 * One line of progress rewritten in place with {@code \r} on a terminal; on anything else (a pipe, a CI log) a
 * line every five seconds instead, so that logs stay readable. {@link #event} prints a line of its own above it.
 * Thread-safe: the failover reports from its own thread.
 */
final class StatusLine {

    private static final int EVERY_NTH_WHEN_NOT_A_TERMINAL = 10;

    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private String shown = "";
    private int calls;

    StatusLine(PrintStream out) {
        this.out = out;
    }

    /** Shows {@code text}, replacing what was shown before. */
    synchronized void show(String text) {
        if (terminal) {
            rewrite(text);
        } else if (calls++ % EVERY_NTH_WHEN_NOT_A_TERMINAL == 0) {
            out.println(text);
        }
    }

    /** Prints {@code line} for good, above the status line, which stays shown below it. */
    synchronized void event(String line) {
        if (terminal && !shown.isEmpty()) {
            String status = shown;
            rewrite(line);
            out.println();
            shown = "";
            rewrite(status);
        } else {
            out.println(line);
        }
    }

    /** Shows {@code text} a last time and ends the line. */
    synchronized void done(String text) {
        if (terminal) {
            rewrite(text);
            out.println();
            shown = "";
        } else {
            out.println(text);
        }
    }

    private void rewrite(String text) {
        out.print("\r" + text + " ".repeat(Math.max(0, shown.length() - text.length())));
        out.flush();
        shown = text;
    }
}
