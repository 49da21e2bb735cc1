package io.aiscope.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProcessMapsTest {

    static final String SAMPLE = """
            55d0c8a00000-55d0c8a02000 r--p 00000000 fe:00 1048612                    /usr/bin/python3.11
            55d0c8a02000-55d0c8c9e000 r-xp 00002000 fe:00 1048612                    /usr/bin/python3.11
            55d0ca1e5000-55d0ca3f2000 rw-p 00000000 00:00 0                          [heap]
            7f1c40000000-7f1c40021000 rw-p 00000000 00:00 0
            7f1c4a200000-7f1c4a2a6000 r-xp 00000000 103:02 2754                       /opt/my env/lib/libcudart.so.12
            7f1c4b000000-7f1c4b001000 r-xp 00000000 00:1a 77                          /tmp/triton/kernel.so (deleted)
            7ffd5e3c3000-7ffd5e3c5000 r-xp 00000000 00:00 0                          [vdso]
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
            """;

    private final ProcessMaps maps = ProcessMaps.parse(SAMPLE);

    @Test
    void parsesEveryField() {
        ProcessMaps.Mapping python = maps.mappings().get(1);
        assertThat(python).isEqualTo(new ProcessMaps.Mapping(0x55d0c8a02000L, 0x55d0c8c9e000L, "r-xp", 0x2000,
                0xfe00, 1048612, "/usr/bin/python3.11", false));
        assertThat(python.isExecutable()).isTrue();
        assertThat(python.isFileBacked()).isTrue();
        assertThat(maps.mappings()).hasSize(8);
    }

    @Test
    void keepsSpacesInPathsAndFlagsDeletedFiles() {
        assertThat(maps.mappings().get(4).path()).isEqualTo("/opt/my env/lib/libcudart.so.12");
        ProcessMaps.Mapping unlinked = maps.mappings().get(5);
        assertThat(unlinked.path()).isEqualTo("/tmp/triton/kernel.so");
        assertThat(unlinked.deleted()).isTrue();
    }

    @Test
    void anonymousAndSpecialAreasAreNotFileBacked() {
        assertThat(maps.mappings().get(2).isFileBacked()).as("[heap]").isFalse();
        assertThat(maps.mappings().get(3).path()).isEmpty();
        assertThat(maps.mappings().get(3).isFileBacked()).isFalse();
        assertThat(maps.mappings().get(6).isFileBacked()).as("[vdso]").isFalse();
    }

    @Test
    void encodesDevicesLikeStat() {
        assertThat(maps.mappings().get(4).device()).isEqualTo((0x103L << 8) | 2);
        // glibc makedev(0x1234, 0x56789), as printed by a C program: majors and minors beyond 8/12 bits split
        assertThat(ProcessMaps.encodeDevice(0x1234, 0x56789)).isEqualTo(0x1000_5672_3489L);
    }

    @Test
    void findsTheMappingHoldingAnAddress() {
        assertThat(maps.find(0x55d0c8a02000L)).hasValueSatisfying(m -> assertThat(m.offset()).isEqualTo(0x2000));
        assertThat(maps.find(0x55d0c8c9dfffL)).hasValueSatisfying(m -> assertThat(m.perms()).isEqualTo("r-xp"));
        assertThat(maps.find(0x55d0c8c9e000L)).isEmpty();
        assertThat(maps.find(0x1000)).isEmpty();
        assertThat(maps.find(0xffffffffff600010L)).hasValueSatisfying(m -> assertThat(m.path()).isEqualTo("[vsyscall]"));
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> ProcessMaps.parse("not a maps line"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a maps line");
    }

    @Test
    void readsTheMapsOfThisProcess() throws Exception {
        ProcessMaps own = ProcessMaps.read((int) ProcessHandle.current().pid());
        ProcessMaps.Mapping libc = own.mappings().stream()
                .filter(m -> m.path().endsWith("/libc.so.6") && m.isExecutable()).findFirst().orElseThrow();
        Map<String, Object> stat = Files.readAttributes(Path.of(libc.path()), "unix:dev,ino");
        assertThat(libc.device()).isEqualTo(stat.get("dev"));
        assertThat(libc.inode()).isEqualTo(stat.get("ino"));
    }

    @Test
    void missingProcessIsReportedAsSuch() {
        assertThatThrownBy(() -> ProcessMaps.read(Integer.MAX_VALUE))
                .isInstanceOf(NoSuchProcessException.class).hasMessageContaining(Integer.toString(Integer.MAX_VALUE));
    }
}
