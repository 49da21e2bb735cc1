package io.aiscope.output.otlp;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where spans go: an OTLP/HTTP traces URL. A bare base ({@code http://127.0.0.1:4318}, with or without a final
 * "/") gets {@value #TRACES_PATH} appended, as a collector's OTLP/HTTP receiver expects; a URL with any other path
 * is used as given, for collectors behind a proxy that maps its own path.
 */
public record OtlpEndpoint(URI uri) {
    static final String TRACES_PATH = "/v1/traces";

    /** @throws IllegalArgumentException saying what is wrong, for a message to the user */
    public static OtlpEndpoint parse(String value) {
        String trimmed = value.strip();
        // Checked before parsing: "127.0.0.1:4318" would otherwise parse as a URI with scheme "127.0.0.1".
        if (!trimmed.regionMatches(true, 0, "http://", 0, 7) && !trimmed.regionMatches(true, 0, "https://", 0, 8)) {
            throw new IllegalArgumentException("the scheme must be http:// or https://");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host");
        }
        if (uri.getPort() > 65535) {
            throw new IllegalArgumentException("port " + uri.getPort() + " is out of range");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a query or fragment has no meaning here");
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            uri = uri.resolve(TRACES_PATH);
        }
        return new OtlpEndpoint(uri);
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
