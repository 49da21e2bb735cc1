package io.aiscope.workloads.client;

/** A pattern of requests against the server; it records each request and requires what it expects of it. */
public interface Scenario {
    void run(Run run) throws Exception;

    static Scenario named(String name) {
        return switch (name) {
            case "mixed" -> new MixedScenario();
            case "stream" -> new StreamScenario();
            case "disconnect" -> new DisconnectScenario();
            case "garbage" -> new GarbageScenario();
            case "pipelined" -> new PipelinedScenario();
            case "load" -> new LoadScenario();
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        };
    }
}
