package io.aiscope.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Results of environment checks ({@code aiscope doctor}): one line each, then a summary. */
public final class CheckList {
    public enum Status { OK, WARN, FAIL }

    public record Check(String name, Status status, String detail) {}

    private final List<Check> checks = new ArrayList<>();

    public void ok(String name, String detail) {
        checks.add(new Check(name, Status.OK, detail));
    }

    /** Something that will not work here, while tracing as such does. */
    public void warn(String name, String detail) {
        checks.add(new Check(name, Status.WARN, detail));
    }

    /** Something without which aiscope cannot trace. */
    public void fail(String name, String detail) {
        checks.add(new Check(name, Status.FAIL, detail));
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    public boolean passed() {
        return count(Status.FAIL) == 0;
    }

    public String summary() {
        String counts = String.format("%d ok, %d warnings, %d failures", count(Status.OK), count(Status.WARN),
                count(Status.FAIL));
        if (passed()) {
            return "tracing works here (" + counts + ")";
        }
        List<String> failed = checks.stream().filter(c -> c.status() == Status.FAIL).map(Check::name).toList();
        return "tracing cannot work here: fix " + String.join(", ", failed) + " (" + counts + ")";
    }

    public void print(PrintStream out) {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : checks) {
            out.printf("%-4s  %-" + width + "s  %s%n", c.status().name().toLowerCase(Locale.ROOT), c.name(), c.detail());
        }
        out.println();
        out.println(summary());
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            list.addObject().put("check", c.name()).put("status", c.status().name().toLowerCase(Locale.ROOT))
                    .put("detail", c.detail());
        }
        root.put("tracing_works", passed());
        root.put("summary", summary());
        return root;
    }
}
