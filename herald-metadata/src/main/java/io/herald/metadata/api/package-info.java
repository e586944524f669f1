/**
 * The narrow views of the controller that broker code depends on, one per concern, instead of the whole
 * {@link io.herald.metadata.controller.MetadataController}, which implements all of them.
 */
package io.herald.metadata.api;
