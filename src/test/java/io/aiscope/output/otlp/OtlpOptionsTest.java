package io.aiscope.output.otlp;

import io.aiscope.cli.OtlpOptions;
import io.aiscope.engine.AiscopeException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class OtlpOptionsTest {
    @Command(name = "cmd")
    static final class Cmd {
        @Mixin
        OtlpOptions otlp;
    }

    private static OtlpOptions parse(String... args) {
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs(args);
        return cmd.otlp;
    }

    @Test
    void noEndpointMeansNoExport() {
        assertThat(parse().open()).isNull();
    }

    @Test
    void anEndpointOpensAnExporterOnTheTracesUrl() {
        try (OtlpRequestExporter exporter = parse("--otlp-endpoint", "http://127.0.0.1:4318").open()) {
            assertThat(exporter.endpoint().uri().toString()).isEqualTo("http://127.0.0.1:4318/v1/traces");
            assertThat(exporter.stats()).isEqualTo(new OtlpExportStats(0, 0, 0, 0, null));
        }
    }

    @Test
    void badInputIsRefusedWithAMessageForTheUser() {
        assertThatThrownBy(() -> parse("--otlp-endpoint", "127.0.0.1:4318").open())
                .isInstanceOf(AiscopeException.class)
                .hasMessage("bad --otlp-endpoint '127.0.0.1:4318': the scheme must be http:// or https://;"
                        + " expected e.g. http://127.0.0.1:4318");
        assertThatThrownBy(() -> parse("--otlp-service-name", "x").open())
                .isInstanceOf(AiscopeException.class)
                .hasMessage("--otlp-service-name needs --otlp-endpoint");
        assertThatThrownBy(() -> parse("--otlp-endpoint", "http://h:4318", "--otlp-service-name", " ").open())
                .isInstanceOf(AiscopeException.class)
                .hasMessage("--otlp-service-name must not be empty");
    }
}
