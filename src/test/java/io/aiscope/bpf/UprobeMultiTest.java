package io.aiscope.bpf;

import io.aiscope.probe.cuda.CudaFamily;
import io.aiscope.target.LibraryCandidate;
import io.aiscope.target.LibraryFinder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** uprobe_multi links made with bpf(2) beside libbpf 1.1, on libc (a file laid out unlike libcudart). */
@Tag("kernel")
class UprobeMultiTest {
    private static final List<String> FUNCTIONS = List.of("getpid", "getppid", "malloc", "free");

    private static Path libc() {
        return new LibraryFinder(Set.copyOf(FUNCTIONS)).findOnSystem("libc.so.6").found().stream()
                .map(LibraryCandidate::path).findFirst().orElseThrow();
    }

    @Test
    void fileOffsetsAreWhereLibbpfPutsItsUprobes() throws IOException {
        Path libc = libc();
        Map<String, Long> offsets = UprobeMulti.fileOffsets(libc, List.of("getpid", "getppid", "no_such_function"));
        assertThat(offsets).containsOnlyKeys("getpid", "getppid");
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            object.load();
            for (String function : offsets.keySet()) {
                try (BpfLink link = object.program("cuda_call_entry").attachUprobe(libc, function, false, -1, 7)) {
                    assertThat(linkInfo()).as(function).singleElement().satisfies(info -> {
                        assertThat(info).contains("link_type:\tperf");
                        assertThat(info).contains(String.format("offset:\t0x%x%n", offsets.get(function)));
                    });
                }
            }
        }
    }

    @Test
    void oneLinkCarriesManyFunctionsWithTheirCookies() throws IOException {
        assumeTrue(BpfSupport.uprobeMulti(), "this kernel has no uprobe_multi links");
        Path libc = libc();
        Map<String, Long> offsets = UprobeMulti.fileOffsets(libc, FUNCTIONS);
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            long uprobePrograms = object.programs().stream().filter(BpfProgram::isUprobe).count();
            assertThat(uprobePrograms).isGreaterThanOrEqualTo(2);
            assertThat(object.useUprobeMulti()).isEqualTo(uprobePrograms);
            assertThat(object.programs()).filteredOn(BpfProgram::isUprobe).allMatch(BpfProgram::isUprobeMulti);
            object.load();
            BpfProgram entry = object.program("cuda_call_entry");
            BpfProgram exit = object.program("cuda_call_exit");
            List<BpfProgram.UprobeTarget> targets = new ArrayList<>();
            for (int i = 0; i < FUNCTIONS.size(); i++) {
                targets.add(new BpfProgram.UprobeTarget(FUNCTIONS.get(i), offsets.get(FUNCTIONS.get(i)), 100 + i));
            }
            BpfLink entries = entry.attachUprobeMulti(libc, targets, false, -1);
            BpfLink returns = exit.attachUprobeMulti(libc, targets, true, -1);
            List<String> infos = linkInfo();
            assertThat(infos).hasSize(2);
            String entryInfo = infos.stream().filter(i -> i.contains("link_type:\tuprobe_multi")).findFirst().orElseThrow();
            assertThat(infos).anySatisfy(i -> assertThat(i).contains("link_type:\turetprobe_multi", "uprobe_cnt:\t4"));
            assertThat(entryInfo).contains("uprobe_cnt:\t4", "pid:\t0", "path:\t" + libc);
            for (BpfProgram.UprobeTarget t : targets) {
                assertThat(entryInfo).contains(String.format("%d\t 0x%x\t 0x0", t.cookie(), t.fileOffset()));
            }
            // A program made for uprobe_multi attaches by name too (one function, one multi link)...
            try (BpfLink one = entry.attachUprobe(libc, "getpid", false, -1, 5)) {
                assertThat(linkInfo()).hasSize(3).anySatisfy(i -> assertThat(i).contains("uprobe_cnt:\t1"));
            }
            // ... and the kernel checks what it is given: an offset past the end of the file sinks the link.
            assertThatThrownBy(() -> entry.attachUprobeMulti(libc,
                    List.of(new BpfProgram.UprobeTarget("beyond", Files.size(libc) + 4096, 1)), false, -1))
                    .isInstanceOf(BpfException.class).hasMessageContaining("uprobe_multi");
            entries.close();
            assertThat(linkInfo()).hasSize(1);
            // The object's close detaches what is left.
        }
        assertThat(linkInfo()).isEmpty();
    }

    @Test
    void programsNotMadeForMultiAreRefusedBeforeTheKernelIsAsked() {
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            object.load();
            assertThatThrownBy(() -> object.program("cuda_call_entry").attachUprobeMulti(libc(),
                    List.of(new BpfProgram.UprobeTarget("getpid", 0x1000, 1)), false, -1))
                    .isInstanceOf(BpfException.class).hasMessageContaining("useUprobeMulti");
        }
    }

    /** The fdinfo of each uprobe link (perf-event or multi) this process holds. */
    private static List<String> linkInfo() throws IOException {
        List<String> infos = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : dir) {
                String info;
                try {
                    info = Files.readString(fd);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (info.contains("event_type:\tuprobe") || info.contains("event_type:\turetprobe")
                        || info.contains("link_type:\tuprobe_multi") || info.contains("link_type:\turetprobe_multi")) {
                    infos.add(info);
                }
            }
        }
        return infos;
    }
}
