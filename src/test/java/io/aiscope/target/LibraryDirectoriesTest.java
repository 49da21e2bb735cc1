package io.aiscope.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class LibraryDirectoriesTest {

    @TempDir
    Path etc;

    @Test
    void followsIncludesRelativeToTheIncludingFile() throws Exception {
        Path conf = Files.writeString(etc.resolve("ld.so.conf"), """
                # comment
                /opt/first   # trailing comment
                include ld.so.conf.d/*.conf
                hwcap 0 nosegneg
                """);
        Files.createDirectory(etc.resolve("ld.so.conf.d"));
        Files.writeString(etc.resolve("ld.so.conf.d/b-cuda.conf"), "/usr/local/cuda-13.0/lib64\n");
        Files.writeString(etc.resolve("ld.so.conf.d/a-libc.conf"), "/usr/local/lib\ninclude " + conf + "\n");
        Files.writeString(etc.resolve("ld.so.conf.d/ignored.txt"), "/not/a/conf\n");

        assertThat(LibraryDirectories.fromLdSoConf(conf)).containsExactly(
                Path.of("/opt/first"), Path.of("/usr/local/lib"), Path.of("/usr/local/cuda-13.0/lib64"));
    }

    @Test
    void searchesLdLibraryPathFirstAndKeepsExistingDirectoriesOnce() throws Exception {
        Path wheelLibs = Files.createDirectories(etc.resolve("site-packages/nvidia/cuda_runtime/lib"));
        Path conf = Files.writeString(etc.resolve("ld.so.conf"), wheelLibs + "\n/usr/lib/x86_64-linux-gnu\n");

        assertThat(LibraryDirectories.standard(wheelLibs + "::/does/not/exist", conf))
                .startsWith(wheelLibs)
                .doesNotContain(Path.of("/does/not/exist"))
                .doesNotHaveDuplicates()
                .allMatch(Files::isDirectory);
    }

    @Test
    void globsMatchInEveryComponent() throws Exception {
        Files.createDirectories(etc.resolve("cuda-12.4/targets/x86_64-linux/lib"));
        Files.createDirectories(etc.resolve("cuda-13.0/targets/sbsa-linux/lib"));
        Files.createDirectories(etc.resolve("cudnn/targets/x86_64-linux/lib"));

        assertThat(LibraryDirectories.glob(etc + "/cuda-*/targets/*/lib")).containsExactly(
                etc.resolve("cuda-12.4/targets/x86_64-linux/lib"), etc.resolve("cuda-13.0/targets/sbsa-linux/lib"));
    }
}
