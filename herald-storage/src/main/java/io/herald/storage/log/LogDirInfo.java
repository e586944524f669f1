package io.herald.storage.log;

import java.nio.file.Path;

/** A log dir's state for DescribeLogDirs; sizes are 0 for an offline dir. */
public record LogDirInfo(Path dir, boolean online, long totalBytes, long usableBytes) {}
