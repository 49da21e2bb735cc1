package io.aiscope.agents;

import java.util.Locale;
import java.util.Map;

/**
 * The provider behind an API host, under the names of OpenTelemetry's {@code gen_ai.provider.name}; any other host
 * (a self-hosted server, a gateway) is named by itself, without its port.
 */
public final class Providers {
    private static final Map<String, String> KNOWN_HOSTS = Map.of(
            "api.openai.com", "openai",
            "api.anthropic.com", "anthropic",
            "generativelanguage.googleapis.com", "gcp.gemini",
            "api.mistral.ai", "mistral_ai",
            "api.groq.com", "groq",
            "api.deepseek.com", "deepseek",
            "api.x.ai", "x_ai",
            "api.perplexity.ai", "perplexity");

    private Providers() {}

    /** @param host the request's Host header (may carry a port), or null when the request had none */
    public static String of(String host) {
        if (host == null || host.isBlank()) {
            return "unknown";
        }
        String name = withoutPort(host.strip().toLowerCase(Locale.ROOT));
        String known = KNOWN_HOSTS.get(name);
        if (known != null) {
            return known;
        }
        if (name.endsWith(".openai.azure.com")) {
            return "azure.ai.openai";
        }
        return name;
    }

    /** The host's name, without the port a Host header may carry. */
    public static String hostName(String host) {
        return host == null ? null : withoutPort(host.strip());
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 ? host.substring(0, close + 1) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }
}
