package io.herald.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The base of every {@code herald} command: runs {@link #run()} and turns a failure into the exit codes a shell user
 * expects. A {@link CliException} or a Kafka error prints one line, {@code herald: <what went wrong>}, and exits 1;
 * a {@link ParameterException} (a bad combination of options found after parsing) is a usage error, exit 2, as
 * picocli's own parse errors are. {@code HERALD_DEBUG=1} adds the stack trace.
 *
 * <p>The handling lives here rather than in a picocli exception handler so that it holds however the
 * {@code CommandLine} was built (tests build their own). Confined to the thread that executes the command.
 */
public abstract class HeraldCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (ParameterException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err().println("herald: " + describe(e));
            if (environment().variable("HERALD_DEBUG").filter(List.of("1", "true")::contains).isPresent()) {
                e.printStackTrace(err());
            }
            return 1;
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** The command's work; returns the exit code (0 on success). */
    protected abstract int run() throws Exception;

    /** The one line printed after {@code herald: } for {@code failure}. */
    protected String describe(Exception failure) {
        return Failures.describe(failure, "(unknown)");
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * Flushes standard output and says whether its reader went away ({@code herald consume ... | head}): the
     * writers swallow the broken pipe, so a command that streams checks this to stop instead of running on.
     */
    protected boolean flushOutput() {
        out().flush();
        return !out().checkError() && !System.out.checkError();
    }

    protected CliEnvironment environment() {
        return ((HeraldCli) spec.root().userObject()).environment();
    }

    /** A usage error (exit 2) about this command's options. */
    protected ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code value} if it is one of {@code allowed}, else a usage error naming the option and the choices. */
    protected String oneOf(String option, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw usageError("invalid value '" + value + "' for " + option + " (expected one of: "
                    + String.join(", ", allowed) + ")");
        }
        return value;
    }
}
