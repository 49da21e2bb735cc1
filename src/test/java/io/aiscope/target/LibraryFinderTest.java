package io.aiscope.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.aiscope.symbols.NativeBuild;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class LibraryFinderTest {

    static final int SELF = (int) ProcessHandle.current().pid();
    static final Set<String> CUDA_RUNTIME = Set.of("cudaMalloc", "cudaFree", "cudaLaunchKernel");
    static final Path CUDART_13 = Path.of("/usr/local/cuda-13.0/lib64/libcudart.so.13");

    @TempDir
    static Path dir;
    static Path fakeCudart;
    static Path stub;

    private final LibraryFinder finder = new LibraryFinder(CUDA_RUNTIME);

    @BeforeAll
    static void build() throws Exception {
        fakeCudart = NativeBuild.sharedLibrary(dir, "libfakecudart.so.12",
                "int cudaMalloc(void **p, unsigned long n) { *p = 0; return (int) n; }");
        Files.createSymbolicLink(dir.resolve("libfakecudart.so"), fakeCudart.getFileName());
        stub = NativeBuild.sharedLibrary(dir, "libfakecudart_stub.so", "int cudaStubVersion(void) { return 1; }");
        Files.writeString(dir.resolve("libfakecudart_script.so"), "INPUT ( libfakecudart.so.12 )\n");
        Files.createSymbolicLink(dir.resolve("libfakecudart.so.0"), dir.resolve("removed.so"));
    }

    @Test
    void findsEachDefiningFileOnceAndReportsStubsApart() throws Exception {
        LibrarySearch search = finder.findIn(List.of(dir, dir), "libfakecudart*");
        assertThat(search.found()).singleElement().satisfies(candidate -> {
            assertThat(candidate.path()).isEqualTo(fakeCudart.toRealPath());
            assertThat(candidate.definedNames()).containsExactly("cudaMalloc");
            Map<String, Object> stat = Files.readAttributes(fakeCudart, "unix:dev,ino");
            assertThat(candidate.device()).isEqualTo(stat.get("dev"));
            assertThat(candidate.inode()).isEqualTo(stat.get("ino"));
        });
        assertThat(search.withoutWantedFunctions()).containsExactly(stub.toRealPath());
    }

    @Test
    void missingDirectoriesFindNothing() {
        LibrarySearch search = finder.findIn(List.of(dir.resolve("absent")), "libcudart.so*");
        assertThat(search.found()).isEmpty();
        assertThat(search.withoutWantedFunctions()).isEmpty();
    }

    @Test
    void findsTheRealCudaRuntimeThroughItsSymlinks() throws Exception {
        assumeTrue(Files.exists(CUDART_13), "CUDA 13 toolkit not installed");
        LibrarySearch search = finder.findIn(List.of(CUDART_13.getParent()), "libcudart.so*");
        assertThat(search.found()).singleElement().satisfies(candidate -> {
            assertThat(candidate.path()).isEqualTo(CUDART_13.toRealPath());
            assertThat(candidate.definedNames()).isEqualTo(CUDA_RUNTIME);
        });
    }

    @Test
    void findsTheCudaRuntimeInTheSystemDirectories() throws Exception {
        assumeTrue(Files.exists(CUDART_13), "CUDA 13 toolkit not installed");
        assertThat(finder.findOnSystem("libcudart.so*").found())
                .extracting(LibraryCandidate::path).contains(CUDART_13.toRealPath()).doesNotHaveDuplicates();
    }

    @Test
    void findsLibrariesMappedByAProcess() throws Exception {
        SymbolLookup.libraryLookup(fakeCudart, Arena.global());
        assertThat(finder.findInProcess(SELF)).filteredOn(candidate -> candidate.path().equals(fakeCudart))
                .singleElement().satisfies(candidate -> assertThat(candidate.definedNames()).containsExactly("cudaMalloc"));
        assertThat(finder.findInProcess(SELF)).as("second scan, from the per-file cache").isEqualTo(finder.findInProcess(SELF));
        assertThat(new LibraryFinder(Set.of("malloc")).findInProcess(SELF))
                .extracting(candidate -> candidate.path().getFileName().toString()).contains("libc.so.6");
    }

    @Test
    void missingProcessIsReportedAsSuch() {
        assertThatThrownBy(() -> finder.findInProcess(Integer.MAX_VALUE)).isInstanceOf(NoSuchProcessException.class);
    }
}
