package dev.scheduler.engine.internal.admin;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.partition.PartitionHandle;
import java.util.Collection;
import java.util.List;

/**
 * What stuck attempts (still running {@code shutdownTimeout} after their timeout) mean for health: a warning per
 * partition naming their keys, and a problem (the instance is not ready) once they hold at least half of the
 * execution threads, which all partitions share.
 */
final class StuckAttemptsHealth {

    private StuckAttemptsHealth() {}

    /** Adds to {@code problems} and {@code warnings}; {@code partitions} in partition order. */
    static void check(
            Collection<PartitionHandle> partitions,
            int executionThreads,
            List<String> problems,
            List<String> warnings) {
        int stuck = 0;
        for (PartitionHandle h : partitions) {
            List<TaskKey> keys = h.stuckAttempts();
            if (!keys.isEmpty()) {
                stuck += keys.size();
                warnings.add("partition " + h.partition() + ": " + keys.size() + " attempts stuck (still running "
                        + "shutdownTimeout after they timed out; their ordering ids wait until they return): " + keys);
            }
        }
        if (stuck > 0 && stuck * 2 >= executionThreads) {
            problems.add(stuck + " stuck attempts hold at least half of the " + executionThreads
                    + " execution threads: fix or restart the executors that ignore interruption or never complete");
        }
    }
}
