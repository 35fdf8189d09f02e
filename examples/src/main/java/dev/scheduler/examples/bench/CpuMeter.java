package dev.scheduler.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads CPU time consumed so far by this JVM (the engine and the client), the forked Cassandra and Kafka JVMs
 * ({@code utime + stime} of {@code /proc/<pid>/stat}), and the whole machine ({@code /proc/stat}), so that a
 * scenario can say where its CPU went and how much other work shared the machine meanwhile.
 */
final class CpuMeter {

    /** Clock ticks per second of {@code /proc} times: USER_HZ, 100 on every Linux build that matters here. */
    private static final double TICKS_PER_SECOND = 100;

    private final OptionalLong kafkaPid;
    private final OptionalLong cassandraPid;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    CpuMeter(OptionalLong kafkaPid, OptionalLong cassandraPid) {
        this.kafkaPid = kafkaPid;
        this.cassandraPid = cassandraPid;
    }

    /** CPU seconds so far; -1 where unknown (an external server, or no {@code /proc}). */
    record Snapshot(long nanoTime, double engine, double cassandra, double kafka, double machine) {}

    Snapshot snapshot() {
        return new Snapshot(
                System.nanoTime(),
                os.getProcessCpuTime() / 1e9,
                processSeconds(cassandraPid),
                processSeconds(kafkaPid),
                machineBusySeconds());
    }

    /**
     * CPU used between two snapshots, in cores (CPU seconds per wall second).
     *
     * @param other what the rest of the machine used: other engineers' builds, the kernel's own threads
     */
    record Usage(double wallSeconds, double engine, double cassandra, double kafka, double other) {

        static Usage between(Snapshot from, Snapshot to) {
            double wall = (to.nanoTime() - from.nanoTime()) / 1e9;
            double engine = cores(from.engine(), to.engine(), wall);
            double cassandra = cores(from.cassandra(), to.cassandra(), wall);
            double kafka = cores(from.kafka(), to.kafka(), wall);
            double machine = cores(from.machine(), to.machine(), wall);
            double other =
                    machine < 0 ? -1 : Math.max(0, machine - engine - Math.max(0, cassandra) - Math.max(0, kafka));
            return new Usage(wall, engine, cassandra, kafka, other);
        }

        private static double cores(double from, double to, double wall) {
            return from < 0 || to < 0 || wall <= 0 ? -1 : (to - from) / wall;
        }

        /** Total CPU microseconds per item of work, over the three measured processes. */
        double microsPerItem(long items) {
            if (items <= 0) {
                return -1;
            }
            double seconds = (engine + Math.max(0, cassandra) + Math.max(0, kafka)) * wallSeconds;
            return seconds * 1e6 / items;
        }

        /** {@code 1.02 / 0.71 / 0.08 / 0.11}; "-" where unknown. */
        String cells() {
            return cell(engine) + " / " + cell(cassandra) + " / " + cell(kafka) + " / " + cell(other);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("wallSeconds", round(wallSeconds));
            m.put("engineJvmCores", round(engine));
            m.put("cassandraCores", cassandra < 0 ? null : round(cassandra));
            m.put("kafkaCores", kafka < 0 ? null : round(kafka));
            m.put("otherProcessesCores", other < 0 ? null : round(other));
            return m;
        }

        private static String cell(double cores) {
            return cores < 0 ? "-" : String.format("%.2f", cores);
        }

        private static double round(double d) {
            return Math.round(d * 1000) / 1000.0;
        }
    }

    private static double processSeconds(OptionalLong pid) {
        if (pid.isEmpty()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid.getAsLong()), "stat"));
            // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double machineBusySeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
            long busy = Long.parseLong(f[1])
                    + Long.parseLong(f[2])
                    + Long.parseLong(f[3])
                    + Long.parseLong(f[6])
                    + Long.parseLong(f[7])
                    + Long.parseLong(f[8]);
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1-minute load average, or -1. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
