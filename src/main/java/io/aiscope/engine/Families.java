package io.aiscope.engine;

import io.aiscope.probe.cuda.CudaFamily;
import io.aiscope.probe.http.HttpFamily;
import io.aiscope.probe.sched.SchedFamily;
import io.aiscope.probe.tcp.TcpFamily;
import io.aiscope.probe.tls.TlsFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The probe families aiscope has, in report order. Adding a family is adding its package and one line here;
 * {@code --probes}, {@code run}, {@code top}, {@code serve}, {@code doctor} all read this list. (The proc family
 * is not listed: every session loads it, since it owns the target set.)
 */
public final class Families {
    private static final Map<String, Supplier<ProbeFamily>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("cuda", CudaFamily::new);
        ALL.put("sched", SchedFamily::new);
        ALL.put("tcp", TcpFamily::new);
        ALL.put("http", HttpFamily::new);
        ALL.put("tls", TlsFamily::new);
    }

    private Families() {}

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** Fresh instances of the named families; all of them for an empty selection. */
    public static List<ProbeFamily> create(List<String> selection) {
        List<ProbeFamily> families = new ArrayList<>();
        for (String name : selection.isEmpty() ? names() : selection) {
            Supplier<ProbeFamily> f = ALL.get(name.strip());
            if (f == null) {
                throw new AiscopeException("unknown probe family '" + name + "' (known: " + String.join(", ", names()) + ")");
            }
            families.add(f.get());
        }
        return families;
    }
}
