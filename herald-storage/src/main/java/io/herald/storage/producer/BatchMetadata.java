package io.herald.storage.producer;

/** Sequence range and offset range of one appended idempotent batch. */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {}
