package io.herald.group;

/** Who sent a group request and with which API version (some rules depend on it). */
public record RequestContext(String clientId, String clientHost, short apiVersion) {
    public RequestContext {
        clientId = clientId == null ? "" : clientId;
        clientHost = clientHost == null ? "" : clientHost;
    }
}
