package io.aiscope.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class ElfFileTest {

    static final String FAKE_CUDART = """
            #include <stdlib.h>
            int exported_counter = 3;
            static __attribute__((noinline)) int helper(int x) { return x * exported_counter + 1; }
            int cudaMalloc(void **p, unsigned long n) { *p = malloc(n); return helper((int) n); }
            int cudaFree(void *p) { free(p); return 0; }
            """;

    @TempDir
    static Path dir;
    static Path library;

    @BeforeAll
    static void build() throws Exception {
        library = NativeBuild.sharedLibrary(dir, "libfake.so", FAKE_CUDART);
    }

    @Test
    void readsDefinedFunctionsOfBothSymbolTables() throws Exception {
        try (ElfFile elf = ElfFile.open(library)) {
            assertThat(elf.isSharedObject()).isTrue();
            List<String> names = elf.functionSymbols().stream().map(ElfSymbol::name).toList();
            assertThat(names).contains("cudaMalloc", "cudaFree", "helper") // helper: local, only in .symtab
                    .doesNotContain("exported_counter", "malloc", "free")   // data; undefined imports
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void symbolValuesAgreeWithNm() throws Exception {
        long nmValue = nmDynamicValue(library, "cudaMalloc");
        try (ElfFile elf = ElfFile.open(library)) {
            ElfSymbol cudaMalloc = elf.definedFunction("cudaMalloc").orElseThrow();
            assertThat(cudaMalloc.value()).isEqualTo(nmValue);
            assertThat(cudaMalloc.size()).isPositive();
            assertThat(elf.definedFunction("helper")).isPresent();
            assertThat(elf.definedFunction("malloc")).as("imported, not defined").isEmpty();
        }
    }

    @Test
    void functionsLieInAnExecutableLoadSegment() throws Exception {
        try (ElfFile elf = ElfFile.open(library)) {
            long value = elf.definedFunction("cudaFree").orElseThrow().value();
            assertThat(elf.loadSegments()).anySatisfy(segment -> {
                assertThat(segment.isExecutable()).isTrue();
                assertThat(value).isBetween(segment.vaddr(), segment.vaddr() + segment.memSize() - 1);
            });
        }
    }

    @Test
    void tellsWhichWantedFunctionsAreDefined() throws Exception {
        try (ElfFile elf = ElfFile.open(library)) {
            assertThat(elf.definedFunctions(Set.of("cudaMalloc", "cudaLaunchKernel", "malloc", "exported_counter")))
                    .containsExactly("cudaMalloc");
            assertThat(elf.definesAny(List.of("cudaLaunchKernel", "cudaFree"))).isTrue();
            assertThat(elf.definesAny(List.of("cudaLaunchKernel"))).isFalse();
        }
    }

    @Test
    void strippedLibraryKeepsOnlyExportedFunctions() throws Exception {
        Path stripped = dir.resolve("libstripped.so");
        NativeBuild.run("strip", "--strip-all", "-o", stripped.toString(), library.toString());
        try (ElfFile elf = ElfFile.open(stripped)) {
            assertThat(elf.functionSymbols()).extracting(ElfSymbol::name)
                    .contains("cudaMalloc", "cudaFree").doesNotContain("helper");
        }
    }

    @Test
    void recognisesFixedAddressExecutables() throws Exception {
        Path executable = NativeBuild.fixedAddressExecutable(dir, "fixed", "int main(void) { return 0; }");
        try (ElfFile elf = ElfFile.open(executable)) {
            assertThat(elf.isSharedObject()).isFalse();
            assertThat(elf.definedFunction("main").orElseThrow().value()).isEqualTo(nmValue(executable, "main"));
        }
    }

    @Test
    void rejectsFilesThatAreNotElf() throws Exception {
        Path text = Files.writeString(dir.resolve("libscript.so"), "GROUP ( /lib/libc.so.6 )\n");
        assertThatThrownBy(() -> ElfFile.open(text))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining(text.toString());
        Path empty = Files.createFile(dir.resolve("empty.so"));
        assertThatThrownBy(() -> ElfFile.open(empty)).isInstanceOf(ElfFormatException.class);
    }

    @Test
    void rejectsTruncatedFiles() throws Exception {
        Path truncated = dir.resolve("libtruncated.so");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(library), 1024));
        assertThatThrownBy(() -> ElfFile.open(truncated))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining(truncated.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void findsTheCudaRuntimeApiInTheRealLibcudart() throws Exception {
        Path cudart = Path.of("/usr/local/cuda-13.0/lib64/libcudart.so.13");
        assumeTrue(Files.exists(cudart), "CUDA 13 toolkit not installed");
        try (ElfFile elf = ElfFile.open(cudart)) {
            assertThat(elf.definedFunctions(Set.of("cudaMalloc", "cudaLaunchKernel", "cuLaunchKernel")))
                    .containsExactlyInAnyOrder("cudaMalloc", "cudaLaunchKernel");
            assertThat(elf.definedFunction("cudaMalloc").orElseThrow().value())
                    .isEqualTo(nmDynamicValue(cudart, "cudaMalloc"));
        }
    }

    private static long nmDynamicValue(Path file, String name) throws Exception {
        return valueIn(NativeBuild.run("nm", "-D", "--defined-only", file.toString()), name);
    }

    private static long nmValue(Path file, String name) throws Exception {
        return valueIn(NativeBuild.run("nm", "--defined-only", file.toString()), name);
    }

    /** The value of {@code name} in nm output lines such as "0000000000001139 T cudaMalloc@@VERSION". */
    private static long valueIn(String nmOutput, String name) {
        return nmOutput.lines()
                .map(line -> line.split(" "))
                .filter(fields -> fields.length == 3 && fields[2].split("@")[0].equals(name))
                .mapToLong(fields -> Long.parseUnsignedLong(fields[0], 16))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in nm output"));
    }
}
