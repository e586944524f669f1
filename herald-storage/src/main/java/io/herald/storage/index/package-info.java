/** Memory-mapped sparse offset and time indexes of one segment, in Kafka's on-disk format. */
package io.herald.storage.index;
