package io.aiscope.workloads;

import io.aiscope.workloads.model.TinyLm;
import io.aiscope.workloads.model.TinyLmGenerator;
import io.aiscope.workloads.server.Server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test workload for aiscope: an OpenAI-compatible, token-streaming model server on ONNX Runtime.
 * <pre>java -jar model-server.jar [--port N] [--threads K] [--model FILE] [--token-delay-ms D]
 *         [--tls-keystore FILE.p12 [--tls-port N] [--tls-password PW]]</pre>
 * Without {@code --model} it serves the tiny model generated in memory (the same bytes as
 * {@code TinyLmGenerator} writes). Prints {@code listening on 127.0.0.1:PORT} on stdout once it accepts requests,
 * and with a keystore then {@code listening tls on 127.0.0.1:PORT}.
 */
public final class ModelServer {
    private static final int WARM_UP_PASSES = 200;
    private static final String USAGE = "usage: java -jar model-server.jar [--port N] [--threads K] [--model FILE] "
            + "[--token-delay-ms D] [--tls-keystore FILE.p12 [--tls-port N] [--tls-password PW]]";

    private ModelServer() {
    }

    public static void main(String[] args) throws Exception {
        long begin = System.nanoTime();
        int port = 0;
        int threads = 4;
        Path modelFile = null;
        long tokenDelayMs = 0;
        Path keystore = null;
        int tlsPort = 0;
        String tlsPassword = "aiscope-test";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            try {
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(required(args[i], value));
                    case "--threads" -> threads = Integer.parseInt(required(args[i], value));
                    case "--model" -> modelFile = Path.of(required(args[i], value));
                    case "--token-delay-ms" -> tokenDelayMs = Long.parseLong(required(args[i], value));
                    case "--tls-keystore" -> keystore = Path.of(required(args[i], value));
                    case "--tls-port" -> tlsPort = Integer.parseInt(required(args[i], value));
                    case "--tls-password" -> tlsPassword = required(args[i], value);
                    default -> usage("unknown argument " + args[i]);
                }
            } catch (NumberFormatException e) {
                usage(args[i] + " needs a number, not " + value);
            }
            i++;
        }
        if (threads < 1 || tokenDelayMs < 0) usage("--threads must be at least 1, --token-delay-ms at least 0");

        TinyLm model = new TinyLm(modelFile == null ? TinyLmGenerator.generate() : Files.readAllBytes(modelFile));
        double passUs = warmUpModel(model);
        Server.warmUp(model);
        Server server = new Server(model, threads, tokenDelayMs);
        int bound = server.listen(port);
        int tlsBound = keystore == null ? 0 : server.listenTls(tlsPort, keystore, tlsPassword.toCharArray());
        System.err.printf("model-server: %s, %d words, forward pass %.0f us (16-token context), %d HTTP workers, "
                        + "started in %d ms%n", modelFile == null ? "generated tiny-lm" : modelFile, model.vocabulary().size(),
                passUs, threads, (System.nanoTime() - begin) / 1_000_000);
        System.out.println("listening on 127.0.0.1:" + bound);
        if (keystore != null) System.out.println("listening tls on 127.0.0.1:" + tlsBound);
        System.out.flush();
    }

    /**
     * Runs the model until ONNX Runtime and the JIT have settled, so the first request's time to first token is
     * not the JVM's; returns the mean time of the later passes.
     */
    private static double warmUpModel(TinyLm model) throws Exception {
        long[] tokens = new long[16];
        long start = 0;
        for (int i = 0; i < WARM_UP_PASSES; i++) {
            if (i == WARM_UP_PASSES / 2) start = System.nanoTime();
            model.forward(tokens, tokens.length);
        }
        return (System.nanoTime() - start) / 1e3 / (WARM_UP_PASSES - WARM_UP_PASSES / 2);
    }

    private static String required(String option, String value) {
        if (value == null) usage(option + " needs a value");
        return value;
    }

    private static void usage(String problem) {
        System.err.println("model-server: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }
}
