package io.aiscope.probe.tls;

import io.aiscope.bpf.BpfObject;
import io.aiscope.engine.UprobePlan;

import java.util.List;

/**
 * The OpenSSL functions the tls family probes, with their programs in tls.bpf.c; the data functions' cookies are
 * tls.h's enum tls_function.
 */
enum TlsFunction {
    SSL_write(1, "tls_data_entry", "tls_data_return"),
    SSL_read(2, "tls_data_entry", "tls_data_return"),
    SSL_write_ex(3, "tls_data_entry", "tls_data_return"),
    SSL_read_ex(4, "tls_data_entry", "tls_data_return"),
    SSL_do_handshake(0, "tls_handshake_entry", "tls_handshake_return"),
    SSL_connect(0, "tls_handshake_entry", "tls_handshake_return"),
    SSL_accept(0, "tls_handshake_entry", "tls_handshake_return"),
    SSL_free(0, "tls_free_entry", null);

    private final long cookie;
    private final String entry;
    private final String exit;

    TlsFunction(long cookie, String entry, String exit) {
        this.cookie = cookie;
        this.entry = entry;
        this.exit = exit;
    }

    static java.util.Set<String> names() {
        return java.util.Arrays.stream(values()).map(Enum::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Every function in every libssl.so* a traced process maps, and in any executable that exports them (node). */
    static UprobePlan plan(String family, BpfObject object) {
        List<UprobePlan.Probe> probes = java.util.Arrays.stream(values())
                .map(f -> new UprobePlan.Probe(f.name(), object.program(f.entry),
                        f.exit == null ? null : object.program(f.exit), f.cookie))
                .toList();
        return new UprobePlan(family, "libssl", "libssl.so*", probes, new OpenSslInternals());
    }
}
