package io.aiscope.probe.http;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns request paths into route templates, so that metrics keyed by route stay few: a segment that is a number
 * becomes {@code {id}}, a UUID {@code {uuid}}, 16 or more hex digits {@code {hex}}, and 16 or more letters,
 * digits and token punctuation ({@code - _ . ~ + =}) with at least one digit (database keys, base64 tokens,
 * "chatcmpl-…" ids) {@code {id}}. Words stay, so {@code /v1/chat/completions} is its own route. After
 * {@code maxRoutes} distinct templates, new ones are {@value #OTHER}. One instance per process; not thread-safe
 * (the event thread alone uses it).
 */
public final class RouteTemplates {
    public static final String OTHER = "other";
    private static final int LONG_TOKEN = 16;

    private final int maxRoutes;
    private final Map<String, String> routes = new HashMap<>();

    public RouteTemplates(int maxRoutes) {
        this.maxRoutes = maxRoutes;
    }

    /** The route of {@code path} (no query string); the same String instance for the same route. */
    public String route(String path) {
        String template = template(path);
        String known = routes.get(template);
        if (known != null) {
            return known;
        }
        if (routes.size() >= maxRoutes) {
            return OTHER;
        }
        routes.put(template, template);
        return template;
    }

    static String template(String path) {
        StringBuilder out = null;
        int n = path.length();
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i < n && path.charAt(i) != '/') {
                continue;
            }
            String replacement = replacement(path, start, i);
            if (replacement != null && out == null) {
                out = new StringBuilder(n).append(path, 0, start);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(path, start, i);
                }
                if (i < n) {
                    out.append('/');
                }
            }
            start = i + 1;
        }
        return out == null ? path : out.toString();
    }

    private static String replacement(String s, int from, int to) {
        int length = to - from;
        if (length == 0) {
            return null;
        }
        boolean digits = true;
        boolean hex = true;
        boolean token = true;
        boolean anyDigit = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                anyDigit = true;
                continue;
            }
            digits = false;
            if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
                continue;
            }
            hex = false;
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.' || c == '~'
                    || c == '+' || c == '=')) {
                token = false;
            }
        }
        if (digits) {
            return "{id}";
        }
        if (length == 36 && uuid(s, from)) {
            return "{uuid}";
        }
        if (hex && length >= LONG_TOKEN) {
            return "{hex}";
        }
        return token && anyDigit && length >= LONG_TOKEN ? "{id}" : null;
    }

    private static boolean uuid(String s, int from) {
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(from + i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
