package dev.scheduler.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one scenario run: its settings and figures for the JSON file, and the cells of its table row.
 * Filled in by the scenario; not thread-safe.
 */
final class ScenarioResult {

    static final String HEADER = "| scenario | result | lateness ms p50 / p90 / p99 / p99.9 / max | ran twice / never "
            + "| CPU cores engine / Cassandra / Kafka / other | CPU µs per task |";
    static final String RULE = "|---|---|---|---|---|---|";

    final String scenario;
    final String label;
    final Map<String, Object> settings = new LinkedHashMap<>();
    final Map<String, Object> figures = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    String headline = "-";
    String lateness = "-";
    String twiceNever = "-";
    CpuMeter.Usage cpu;
    long cpuItems;
    /** False when the run failed or a task ran twice or never. */
    boolean clean = true;

    ScenarioResult(String scenario, String label) {
        this.scenario = scenario;
        this.label = label;
    }

    /** Records the duplicate and missing counts; either makes the run unclean. */
    void twiceNever(long twice, long never) {
        twiceNever = twice + " / " + never;
        figures.put("ranTwice", twice);
        figures.put("neverRan", never);
        if (twice > 0 || never > 0) {
            clean = false;
        }
    }

    /** Sets the lateness cell from a histogram of microseconds. */
    void lateness(Histogram micros) {
        lateness = summary(micros);
    }

    /** p50 / p90 / p99 / p99.9 / max in milliseconds, or "-" for an empty histogram. */
    static String summary(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return "-";
        }
        return ms(micros.getValueAtPercentile(50)) + " / " + ms(micros.getValueAtPercentile(90)) + " / "
                + ms(micros.getValueAtPercentile(99)) + " / " + ms(micros.getValueAtPercentile(99.9)) + " / "
                + ms(micros.getMaxValue());
    }

    /** Percentiles of a histogram of microseconds, in milliseconds, for the JSON file. */
    static Map<String, Object> percentiles(Histogram micros) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", micros.getTotalCount());
        if (micros.getTotalCount() > 0) {
            m.put("p50Ms", micros.getValueAtPercentile(50) / 1000.0);
            m.put("p90Ms", micros.getValueAtPercentile(90) / 1000.0);
            m.put("p99Ms", micros.getValueAtPercentile(99) / 1000.0);
            m.put("p999Ms", micros.getValueAtPercentile(99.9) / 1000.0);
            m.put("maxMs", micros.getMaxValue() / 1000.0);
            m.put("meanMs", Math.round(micros.getMean()) / 1000.0);
        }
        return m;
    }

    void failed(Throwable e) {
        clean = false;
        headline = "FAILED: " + e;
        notes.add("failed: " + e);
    }

    String row() {
        String cpuCells = cpu == null ? "-" : cpu.cells();
        String perTask = cpu == null || cpuItems <= 0 ? "-" : String.format("%.0f", cpu.microsPerItem(cpuItems));
        return "| " + label + " | " + headline + " | " + lateness + " | " + twiceNever + " | " + cpuCells + " | "
                + perTask + " |";
    }

    Map<String, Object> toJson(Map<String, Object> common) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("label", label);
        m.putAll(common);
        m.put("settings", settings);
        m.put("figures", figures);
        if (cpu != null) {
            Map<String, Object> c = cpu.toJson();
            if (cpuItems > 0) {
                c.put("items", cpuItems);
                c.put("cpuMicrosPerItem", Math.round(cpu.microsPerItem(cpuItems)));
            }
            m.put("cpu", c);
        }
        m.put("clean", clean);
        m.put("notes", notes);
        m.put("tableRow", row());
        return m;
    }

    static String ms(long micros) {
        double ms = micros / 1000.0;
        return ms < 10 ? String.format("%.1f", ms) : String.format("%.0f", ms);
    }

    static String number(double d) {
        return String.format("%,.0f", d);
    }
}
