package io.herald.bench;

import java.io.PrintStream;

/**
 * A text progress bar on stderr: {@code [#####.....] 12/40 produce-100B-acks1 Kafka run 2}. Redrawn in place
 * on a terminal, one line per step otherwise (CI logs). Main thread only.
 */
final class Progress {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final int total;
    private final boolean terminal = System.console() != null;
    private int done;

    Progress(PrintStream out, int total) {
        this.out = out;
        this.total = total;
    }

    /** Shows that step {@code done + 1} is starting. */
    void starting(String what) {
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + (done + 1) + "/" + total + " " + what;
        if (terminal) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    void finished() {
        done++;
    }

    /** Ends the bar's line so that what follows starts on a fresh one. */
    void close() {
        if (terminal) {
            out.println();
        }
    }

    /** Prints a message above the bar. */
    void message(String text) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println(text);
    }
}
