/** Small crash-safe text checkpoint files (Kafka's format) kept per log dir. */
package io.herald.storage.checkpoint;
