package io.aiscope.agents;

import io.aiscope.testing.LlmEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Kernel tests against one TLS LLM endpoint (untraced) that every test of the class shares. */
abstract class EndpointKernelTest {
    static LlmEndpoint endpoint;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        endpoint = new LlmEndpoint("--threads", "2");
    }

    @AfterAll
    static void stop() throws Exception {
        endpoint.close();
    }
}
