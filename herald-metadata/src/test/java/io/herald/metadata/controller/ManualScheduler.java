package io.herald.metadata.controller;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Holds scheduled tasks; a test runs them by name. */
final class ManualScheduler implements ControllerScheduler {
    private final Map<String, Runnable> tasks = new ConcurrentHashMap<>();

    @Override
    public Periodic schedule(String name, Runnable task, long periodMs) {
        tasks.put(name, task);
        return () -> tasks.remove(name);
    }

    /** Runs the named task if it is scheduled; returns whether it was. */
    boolean run(String name) {
        Runnable task = tasks.get(name);
        if (task != null) {
            task.run();
        }
        return task != null;
    }

    boolean isScheduled(String name) {
        return tasks.containsKey(name);
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
