package io.herald.bench.rebalance;

import io.herald.bench.broker.ProcessReaper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link GroupMember} JVM: started with the benchmark's own classpath, its stdout fed line by line into a
 * {@link GroupView} by a daemon reader thread, its stderr (client logs) kept in a file. Registered with
 * {@link ProcessReaper} so that it dies with the benchmark however the benchmark exits.
 */
final class MemberProcess implements AutoCloseable {
    /** Small and quick to start: three of these share two cores with the broker. */
    static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=error");

    private final Process process;

    private MemberProcess(Process process) {
        this.process = process;
    }

    static MemberProcess start(Path java, String classpath, int index, GroupView view, Path stderrLog,
                               List<String> memberArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(List.of("-cp", classpath, GroupMember.class.getName()));
        cmd.addAll(memberArgs);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(stderrLog.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch group member " + index, e);
        }
        ProcessReaper.register(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    view.onLine(index, line);
                }
            } catch (IOException | RuntimeException e) {
                // the process was killed, or printed something unparsable: the run's timeout reports it
            }
        }, "member-" + index + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return new MemberProcess(p);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, no waiting: the caller takes T0 just before. */
    void killNow() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        ProcessReaper.kill(process);
    }
}
