package io.aiscope.probe.tls;

import io.aiscope.symbols.ElfFile;
import io.aiscope.target.MappedFiles;
import io.aiscope.target.ProcessMaps;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * TLS stacks in traced processes that the tls family cannot see into, found from what each process maps: by file
 * name (libjvm, GnuTLS, NSS) and from ELF section and symbol tables (Go's crypto/tls; OpenSSL, BoringSSL or rustls
 * code without the SSL_read/SSL_write symbols the uprobes need). Each file is looked at once; no file is scanned for
 * strings. A finding says a stack is present, not that the process used it.
 */
final class UnseenTls {
    /** Processes listed; more are counted, not listed. */
    static final int MAX_PROCESSES = 4096;

    record Finding(int pid, String library, String reason) {}

    private record FileId(long device, long inode) {}

    private static final Pattern GNUTLS = Pattern.compile("libgnutls\\.so.*");
    private static final Set<String> NSS = Set.of("libnss3.so", "libssl3.so");
    private static final Set<String> PROBED = Set.of("SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex");
    /** Functions of OpenSSL's (or BoringSSL's) TLS code: present without the probed ones, nothing to attach to. */
    private static final Set<String> OPENSSL_INTERNALS = Set.of("ssl3_read_bytes", "ossl_statem_connect",
            "tls_construct_client_hello", "SSL_do_handshake");

    private final Map<FileId, Optional<String>> reasonByFile = new ConcurrentHashMap<>();
    private final Map<Integer, Map<String, String>> byProcess = new LinkedHashMap<>();
    private long processesNotListed;

    /** Looks at the files {@code pid} maps executable; on the housekeeping thread, at every scan of its maps. */
    void scan(int pid, ProcessMaps maps) {
        for (ProcessMaps.Mapping m : maps.mappings()) {
            if (!m.isExecutable() || !m.isFileBacked()) {
                continue;
            }
            Optional<String> reason = reasonByFile.computeIfAbsent(new FileId(m.device(), m.inode()),
                    id -> MappedFiles.locate(pid, m).flatMap(UnseenTls::reason));
            reason.ifPresent(r -> found(pid, m.path(), r));
        }
    }

    private synchronized void found(int pid, String library, String reason) {
        Map<String, String> libraries = byProcess.get(pid);
        if (libraries == null) {
            if (byProcess.size() >= MAX_PROCESSES) {
                processesNotListed++;
                return;
            }
            libraries = new LinkedHashMap<>();
            byProcess.put(pid, libraries);
        }
        libraries.putIfAbsent(library, reason);
    }

    synchronized List<Finding> findings() {
        List<Finding> all = new ArrayList<>();
        byProcess.forEach((pid, libraries) -> libraries.forEach((lib, reason) -> all.add(new Finding(pid, lib, reason))));
        all.sort(Comparator.comparingInt(Finding::pid).thenComparing(Finding::library));
        return all;
    }

    /** Processes with findings beyond {@value #MAX_PROCESSES}. */
    synchronized long processesNotListed() {
        return processesNotListed;
    }

    /** Why the tls family cannot see the TLS of a process mapping {@code file}; empty when it can, or there is none. */
    static Optional<String> reason(Path file) {
        String name = file.getFileName().toString();
        if (name.equals("libjvm.so")) {
            return Optional.of("Java: JSSE (Java's own TLS) is not probed");
        }
        if (GNUTLS.matcher(name).matches()) {
            return Optional.of("GnuTLS is not probed");
        }
        if (NSS.contains(name)) {
            return Optional.of("NSS is not probed");
        }
        try (ElfFile elf = ElfFile.open(file)) {
            if (elf.hasSection(".go.buildinfo")) {
                if (!elf.hasSymbols()) {
                    return Optional.of("Go binary without symbols: its crypto/tls, if used, is not probed");
                }
                return elf.definesFunction(f -> f.startsWith("crypto/tls."))
                        ? Optional.of("Go: crypto/tls is not probed") : Optional.empty();
            }
            if (!elf.definedFunctions(PROBED).isEmpty()) {
                return Optional.empty(); // probed
            }
            if (elf.definesFunction(f -> f.contains("rustls"))) {
                return Optional.of("rustls is not probed");
            }
            if (elf.definesFunction(f -> f.startsWith("_ZN4bssl") || OPENSSL_INTERNALS.contains(f))) {
                return Optional.of("OpenSSL/BoringSSL code without SSL_read/SSL_write symbols to probe");
            }
            return Optional.empty();
        } catch (IOException notElfOrUnreadable) {
            return Optional.empty();
        }
    }
}
