package io.herald.cli.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error, redrawn in place with a carriage return:
 * {@code produce [==========>         ]  52%  5.2 MiB / 10.0 MiB  1.3 MiB/s  ETA 0:04}. Without a known total it
 * shows the count and the rate only. Redraws at most every {@value #REDRAW_MILLIS} ms so that a fast loop does not
 * spend its time printing; {@link #finish} draws the final state and ends the line.
 *
 * <p>Whether to show one at all is the caller's decision (only on a terminal, or when asked with
 * {@code --progress}). Not thread-safe: the loop that makes progress updates it.
 */
public final class ProgressBar {

    /** What the bar counts. */
    public enum Unit { RECORDS, BYTES }

    static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final Unit unit;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long lastDrawNanos;
    private long done;
    private int lastLength;

    /**
     * @param total     the amount at 100%, or 0 or less when unknown
     * @param nanoClock {@code System::nanoTime}, or a test's clock
     */
    public ProgressBar(PrintWriter err, String label, long total, Unit unit, LongSupplier nanoClock) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastDrawNanos = startNanos - TimeUnit.MILLISECONDS.toNanos(REDRAW_MILLIS);
    }

    /** Sets the amount done so far; redraws if the last draw is old enough. */
    public void update(long doneSoFar) {
        done = doneSoFar;
        long now = nanoClock.getAsLong();
        if (now - lastDrawNanos >= TimeUnit.MILLISECONDS.toNanos(REDRAW_MILLIS)) {
            draw(now);
        }
    }

    /** Draws the final state and moves to the next line. */
    public void finish() {
        draw(nanoClock.getAsLong());
        err.println();
        err.flush();
    }

    private void draw(long now) {
        lastDrawNanos = now;
        String line = render(label, done, total, unit, now - startNanos);
        // Blank out the tail of a longer previous line instead of an ANSI erase: the bar may go to a log file.
        int pad = Math.max(0, lastLength - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        lastLength = line.length();
    }

    /** The text of the bar, without the carriage return. */
    static String render(String label, long done, long total, Unit unit, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) (fraction * WIDTH);
            line.append('[').append("=".repeat(filled));
            if (filled < WIDTH) {
                line.append('>').append(" ".repeat(WIDTH - filled - 1));
            }
            line.append("] ").append(String.format(Locale.ROOT, "%3d%%", (int) (fraction * 100)));
            line.append("  ").append(amount(done, unit)).append(" / ").append(amount(total, unit));
        } else {
            line.append(amount(done, unit));
        }
        line.append("  ").append(amount((long) rate, unit)).append("/s");
        if (total > 0) {
            // The first second's rate says little (connecting, metadata): no estimate from it.
            line.append("  ETA ").append(done >= total ? "0:00"
                    : rate > 0 && seconds >= 1 ? clock((long) ((total - done) / rate)) : "--:--");
        }
        return line.toString();
    }

    static String amount(long n, Unit unit) {
        if (unit == Unit.RECORDS) {
            return String.format(Locale.ROOT, "%,d rec", n);
        }
        if (n < 1024) {
            return n + " B";
        }
        double value = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[i]);
    }

    static String clock(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
