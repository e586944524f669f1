package io.herald.http.rest;

import com.fasterxml.jackson.databind.JsonNode;

/** Parameters of REST calls, refused with a 400 that names them. */
final class RestParams {
    private RestParams() {
    }

    static int intParam(String value, String name) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new RestException(400, name + " must be an integer: " + value);
        }
    }

    static long longParam(String value, String name) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new RestException(400, name + " must be an integer: " + value);
        }
    }

    /** A required text field of a JSON body. */
    static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new RestException(400, "Field " + field + " is required (a string)");
        }
        return value.asText();
    }
}
