package io.herald.http.server;

import java.nio.charset.StandardCharsets;

/**
 * What an endpoint answers: a status, a content type, the body and any further headers
 * ({@code WWW-Authenticate}).
 */
public record HttpReply(int status, String contentType, byte[] body, java.util.Map<String, String> headers) {
    public HttpReply {
        headers = java.util.Map.copyOf(headers);
    }

    public HttpReply(int status, String contentType, byte[] body) {
        this(status, contentType, body, java.util.Map.of());
    }

    /** This reply with one more header. */
    public HttpReply withHeader(String name, String value) {
        java.util.Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new HttpReply(status, contentType, body, more);
    }

    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply json(int status, String json) {
        return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An error in the REST Proxy's shape: {@code {"error_code": <status>, "message": "..."}}.
     */
    public static HttpReply error(int status, String message) {
        return json(status, "{\"error_code\":" + status + ",\"message\":\"" + escape(message) + "\"}");
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
