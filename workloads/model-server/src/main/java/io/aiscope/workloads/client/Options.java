package io.aiscope.workloads.client;

import java.nio.file.Path;

/** The load client's command line. {@code requests} is null when not given (each scenario has its default). */
public record Options(int port, String scenario, Integer requests, int concurrency, Path out, double durationS,
                      int maxTokens, String writer) {
    public static final String USAGE = """
            usage: java -cp model-server.jar io.aiscope.workloads.LoadClient --port N --scenario NAME
                     [--requests R] [--concurrency C] [--out FILE] [--duration S] [--max-tokens T] [--writer worker|inference]
              scenarios: mixed, stream, disconnect, garbage, pipelined, load""";

    public static Options parse(String[] args) {
        int port = -1;
        String scenario = null;
        Integer requests = null;
        int concurrency = 4;
        Path out = null;
        double durationS = 10;
        int maxTokens = 16;
        String writer = "worker";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
            String value = args[i + 1];
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value);
                case "--scenario" -> scenario = value;
                case "--requests" -> requests = Integer.parseInt(value);
                case "--concurrency" -> concurrency = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--duration" -> durationS = Double.parseDouble(value);
                case "--max-tokens" -> maxTokens = Integer.parseInt(value);
                case "--writer" -> writer = value;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (port < 0 || scenario == null) throw new IllegalArgumentException("--port and --scenario are required");
        if (concurrency < 1 || maxTokens < 1) throw new IllegalArgumentException("--concurrency and --max-tokens must be at least 1");
        if (!writer.equals("worker") && !writer.equals("inference")) throw new IllegalArgumentException("--writer is worker or inference");
        return new Options(port, scenario, requests, concurrency, out, durationS, maxTokens, writer);
    }

    int requestsOr(int fallback) {
        return requests == null ? fallback : requests;
    }

    /** The query that selects the server thread writing a stream (see the server's CompletionsHandler). */
    String writerQuery() {
        return writer.equals("inference") ? "?writer=inference" : "";
    }
}
