package io.aiscope.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.aiscope.symbols.ElfFile;
import io.aiscope.symbols.NativeBuild;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class MappedFilesTest {

    static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void hostFilesAreReadThroughTheirOwnPath() throws Exception {
        Path library = NativeBuild.sharedLibrary(dir, "libhost.so", "int hostFunction(void) { return 1; }");
        SymbolLookup.libraryLookup(library, Arena.global());
        assertThat(MappedFiles.locate(SELF, executableMappingOf(library))).hasValue(library);
    }

    @Test
    void unlinkedFilesAreReadThroughTheKernelsLink() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "/proc/PID/map_files needs CAP_SYS_ADMIN");
        Path library = NativeBuild.sharedLibrary(dir, "libjit.so", "int jitKernel(void) { return 2; }");
        SymbolLookup.libraryLookup(library, Arena.global());
        ProcessMaps.Mapping mapping = executableMappingOf(library);
        Files.delete(library); // as Triton does with the kernels it compiles and loads

        Path located = MappedFiles.locate(SELF, ProcessMaps.read(SELF).find(mapping.start()).orElseThrow()).orElseThrow();
        assertThat(located.toString()).startsWith("/proc/" + SELF + "/map_files/");
        try (ElfFile elf = ElfFile.open(located)) {
            assertThat(elf.definedFunction("jitKernel")).isPresent();
        }
    }

    @Test
    void anonymousMemoryHasNoFile() {
        ProcessMaps.Mapping anonymous = ProcessMaps.parse("7f1c40000000-7f1c40021000 rw-p 00000000 00:00 0\n")
                .mappings().getFirst();
        assertThat(MappedFiles.locate(SELF, anonymous)).isEmpty();
    }

    private static ProcessMaps.Mapping executableMappingOf(Path library) throws Exception {
        return ProcessMaps.read(SELF).mappings().stream()
                .filter(m -> m.isExecutable() && m.path().equals(library.toString()))
                .findFirst().orElseThrow();
    }
}
