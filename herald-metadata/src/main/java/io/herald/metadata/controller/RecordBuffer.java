package io.herald.metadata.controller;

import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The records one command decides, and the image they lead to so far, so a later step of the same decision
 * sees the earlier ones (e.g. a broker fenced before its partitions elect new leaders). Confined to the
 * deciding thread.
 */
final class RecordBuffer {
    private ClusterImage image;
    private final List<MetadataRecord> records = new ArrayList<>();

    RecordBuffer(ClusterImage start) {
        this.image = start;
    }

    ClusterImage image() {
        return image;
    }

    void add(MetadataRecord record) {
        image = image.apply(record);
        records.add(record);
    }

    List<MetadataRecord> records() {
        return List.copyOf(records);
    }
}
