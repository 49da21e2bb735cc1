package io.aiscope.workloads.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Bytes that are not HTTP: 300 random bytes (fixed seed, with NULs, CRs and LFs) on one connection; a valid
 * request line followed by malformed header lines on another. Each reads what comes back until the server
 * closes or 2 s pass, and must not get a 2xx answer. Then a normal {@code /health} must succeed. The garbage
 * records carry the bytes sent ({@code sent_base64}).
 */
final class GarbageScenario implements Scenario {
    private static final int GARBAGE_BYTES = 300;
    private static final long SEED = 0x6A7BA6EL;
    private static final int WAIT_MS = 2000;

    @Override
    public void run(Run run) throws Exception {
        send(run, 0, Request.raw(null, null, randomBytes()));

        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        headers.writeBytes(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + run.options().port() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        headers.writeBytes(new byte[]{0, 1, 2, ' ', 'n', 'o', ' ', 'c', 'o', 'l', 'o', 'n', '\r', '\n'});
        headers.writeBytes(": empty name\r\n".getBytes(StandardCharsets.ISO_8859_1));
        headers.writeBytes(new byte[]{(byte) 0xFF, (byte) 0xFE, ':', ' ', 0, '\r', '\n', '\r', '\n'});
        send(run, 1, Request.raw("GET", "/health", headers.toByteArray()));

        try (HttpConnection fresh = run.connect()) {
            run.require(Checks.complete(run.exchange(2, fresh, run.get("/health", false), 0), 200));
        }
    }

    private static void send(Run run, int id, Request garbage) throws Exception {
        try (HttpConnection connection = run.connect(WAIT_MS)) {
            RequestRecord r = run.exchange(id, connection, garbage, 0).record();
            run.require(r.status() / 100 != 2, Checks.describe(r) + ": garbage was answered with " + r.status());
        }
    }

    private static byte[] randomBytes() {
        Random random = new Random(SEED);
        byte[] bytes = new byte[GARBAGE_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1 -> '\r';
                case 2 -> '\n';
                default -> (byte) random.nextInt(256);
            };
        }
        return bytes;
    }
}
