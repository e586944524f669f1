/** Logging helpers: warnings about what clients send or configure, rate-limited so they cannot flood the log. */
package io.herald.common.log;
