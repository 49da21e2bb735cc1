package io.aiscope.probe.cuda;

import io.aiscope.bpf.BpfObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Keeps the Java side in step with cuda.h: the decoder's fields and the function ids. Needs no root. */
@Tag("unit")
class CudaLayoutTest {
    @Test
    void decoderFieldsMatchTheCompiledStruct() {
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            assertThatCode(() -> new CudaFamily.Layout(object)).doesNotThrowAnyException();
        }
    }

    @Test
    void functionIdsFollowTheEnumInTheHeader() throws Exception {
        String header = Files.readString(Path.of("src/main/java/io/aiscope/probe/cuda/cuda.h"));
        Matcher m = Pattern.compile("\\n\\s*(CUDA_[A-Z_]+)\\s*(=\\s*1)?,").matcher(header);
        int id = 0;
        StringBuilder order = new StringBuilder();
        while (m.find()) {
            if (!m.group(1).equals("CUDA_FN_COUNT")) {
                order.append(m.group(1)).append(' ');
                id++;
            }
        }
        assertThat(id).as("enum cuda_fn: " + order).isEqualTo(CudaFunction.values().length);
        String expected = Arrays.stream(CudaFunction.values())
                .map(f -> "CUDA_" + f.name().replaceFirst("^__cuda", "").replaceFirst("^cuda", "")
                        .replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase())
                .reduce("", (a, b) -> a + b + " ");
        assertThat(order.toString()).isEqualTo(expected);
    }
}
