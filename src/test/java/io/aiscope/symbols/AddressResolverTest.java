package io.aiscope.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiscope.target.ProcessMaps;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class AddressResolverTest {

    static final int SELF = (int) ProcessHandle.current().pid();

    static final String KERNELS = """
            static __attribute__((noinline)) int helper(int x) { return x * 7 + 1; }
            void vecAdd(float *a, float *b, float *c, int n) {
                for (int i = 0; i < n; i++) c[i] = a[i] + b[i] + helper(i);
            }
            """;

    @TempDir
    static Path dir;
    static Path library;
    static SymbolLookup loaded;

    private final AddressResolver resolver = new AddressResolver(Demangler.create());

    @BeforeAll
    static void buildAndLoad() throws Exception {
        library = NativeBuild.cxxSharedLibrary(dir, "libkernels.so", KERNELS);
        loaded = SymbolLookup.libraryLookup(library, Arena.global());
    }

    @Test
    void resolvesLibcFunctionsInThisProcess() {
        long malloc = Linker.nativeLinker().defaultLookup().findOrThrow("malloc").address();
        ResolvedSymbol symbol = resolver.resolve(SELF, malloc).orElseThrow();
        assertThat(symbol.mangled()).isEqualTo("malloc");
        assertThat(symbol.demangled()).isEqualTo("malloc");
        assertThat(symbol.module()).endsWith("/libc.so.6");
        assertThat(symbol.offset()).isZero();
        assertThat(resolver.resolve(SELF, malloc + 3).orElseThrow().offset()).isEqualTo(3);
    }

    @Test
    void demanglesCxxFunctions() {
        long vecAdd = loaded.findOrThrow("_Z6vecAddPfS_S_i").address();
        ResolvedSymbol symbol = resolver.resolve(SELF, vecAdd + 1).orElseThrow();
        assertThat(symbol).isEqualTo(
                new ResolvedSymbol(library.toString(), "_Z6vecAddPfS_S_i", "vecAdd(float*, float*, float*, int)", 1));
    }

    @Test
    void resolvesLocalFunctionsFromTheSymtab() throws Exception {
        long loadBias;
        long helperValue;
        try (ElfFile elf = ElfFile.open(library)) {
            loadBias = loaded.findOrThrow("_Z6vecAddPfS_S_i").address() - elf.definedFunction("_Z6vecAddPfS_S_i").orElseThrow().value();
            helperValue = elf.definedFunction("_ZL6helperi").orElseThrow().value();
        }
        ResolvedSymbol symbol = resolver.resolve(SELF, loadBias + helperValue + 2).orElseThrow();
        assertThat(symbol.demangled()).isEqualTo("helper(int)");
        assertThat(symbol.offset()).isEqualTo(2);
    }

    @Test
    void countsAddressesThatCannotBeResolved() {
        assertThat(resolver.resolve(SELF, 0x10)).as("unmapped").isEmpty();
        try (Arena arena = Arena.ofConfined()) {
            long heap = arena.allocate(64).address();
            assertThat(resolver.resolve(SELF, heap)).as("anonymous memory").isEmpty();
        }
        assertThat(resolver.resolve(Integer.MAX_VALUE, 0x1000)).as("no such process").isEmpty();
        assertThat(resolver.failures()).isEqualTo(new AddressResolver.Failures(1, 1, 1, 0));
    }

    @Test
    void keepsResolvingAddressesOfAProcessThatExited() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) sleeper.pid();
            long malloc = runtimeAddressOfLibcMalloc(pid);
            assertThat(resolver.resolve(pid, malloc).map(ResolvedSymbol::mangled)).hasValue("malloc");
            sleeper.destroy();
            assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(resolver.resolve(pid, malloc).map(ResolvedSymbol::mangled)).hasValue("malloc");
            resolver.forget(pid);
            assertThat(resolver.resolve(pid, malloc)).isEmpty();
            assertThat(resolver.failures().processGone()).isEqualTo(1);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** Where {@code malloc} lies in another process: its ELF address carried through libc's mapping there. */
    private static long runtimeAddressOfLibcMalloc(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var libc = ProcessMaps.read(pid).mappings().stream()
                    .filter(m -> m.isExecutable() && m.path().endsWith("/libc.so.6")).findFirst();
            if (libc.isPresent()) {
                try (ElfFile elf = ElfFile.open(Path.of(libc.get().path()))) {
                    long vaddr = elf.definedFunction("malloc").orElseThrow().value();
                    LoadSegment text = elf.loadSegments().stream()
                            .filter(s -> s.containsFileOffset(libc.get().offset())).findFirst().orElseThrow();
                    long fileOffset = vaddr - text.vaddr() + text.fileOffset();
                    return libc.get().start() + fileOffset - libc.get().offset();
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("libc never got mapped in pid " + pid);
            Thread.sleep(10);
        }
    }
}
