package io.aiscope.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table: a header row and rows of cells, each column as wide as its widest cell. */
public final class Table {
    /** A column; numbers read best right-aligned, names left-aligned. */
    public record Column(String header, boolean rightAligned) {
        public static Column left(String header) {
            return new Column(header, false);
        }

        public static Column right(String header) {
            return new Column(header, true);
        }
    }

    private final List<Column> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    public void add(List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " cells, got " + cells.size());
        }
        rows.add(List.copyOf(cells));
    }

    public String render() {
        int[] width = new int[columns.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = columns.get(c).header().length();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, columns.stream().map(Column::header).toList(), width);
        rows.forEach(row -> line(out, row, width));
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            if (c > 0) {
                l.append("  ");
            }
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            l.append(columns.get(c).rightAligned() ? pad + cell : cell + pad);
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }

    /** 1536 → "1.5 KiB"; binary units, as memory sizes are. */
    public static String bytes(double b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (Math.abs(b) >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", b) : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }

    /** A rate or count, short: 950, 12.3k, 4.5M. */
    public static String number(double n) {
        if (Math.abs(n) < 1000) {
            return n == Math.rint(n) ? String.format(Locale.ROOT, "%.0f", n) : String.format(Locale.ROOT, "%.1f", n);
        }
        if (Math.abs(n) < 1e6) {
            return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
}
