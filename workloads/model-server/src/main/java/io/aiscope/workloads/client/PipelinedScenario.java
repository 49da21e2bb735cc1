package io.aiscope.workloads.client;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /items/1..3} written back to back in one write on one connection, then the three responses read
 * in order. All three records share the start time of that write.
 */
final class PipelinedScenario implements Scenario {
    private static final int REQUESTS = 3;

    @Override
    public void run(Run run) throws Exception {
        List<Request> requests = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int item = 1; item <= REQUESTS; item++) {
            Request request = run.get("/items/" + item, true);
            requests.add(request);
            wire.writeBytes(request.wire());
        }
        try (HttpConnection connection = run.connect()) {
            long startNs = connection.send(wire.toByteArray());
            for (int i = 0; i < REQUESTS; i++) {
                Result result = run.record(i, connection, requests.get(i), startNs, connection.receive(0));
                run.require(Checks.complete(result, 200));
                String expected = "{\"id\":\"" + (i + 1) + "\"}";
                run.require(result.response().body.toString().equals(expected),
                        Checks.describe(result.record()) + ": body " + result.response().body + ", expected " + expected);
            }
        }
    }
}
