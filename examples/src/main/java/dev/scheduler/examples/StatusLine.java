package dev.scheduler.examples;

import java.io.PrintStream;

/**
 * One line of progress rewritten in place with {@code \r} on a terminal; on anything else (a pipe, a CI log) a
 * line every five seconds instead, so that logs stay readable.
 */
final class StatusLine {

    private static final int EVERY_NTH_WHEN_NOT_A_TERMINAL = 10;

    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private int width;
    private int calls;

    StatusLine(PrintStream out) {
        this.out = out;
    }

    /** Shows {@code text}, replacing what was shown before. */
    void show(String text) {
        if (terminal) {
            out.print("\r" + text + " ".repeat(Math.max(0, width - text.length())));
            out.flush();
            width = text.length();
        } else if (calls++ % EVERY_NTH_WHEN_NOT_A_TERMINAL == 0) {
            out.println(text);
        }
    }

    /** Shows {@code text} a last time and ends the line. */
    void done(String text) {
        if (terminal) {
            show(text);
            out.println();
        } else {
            out.println(text);
        }
    }
}
