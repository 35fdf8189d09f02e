package dev.scheduler.engine.internal.store;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.scheduler.engine.AttemptInfo;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A task's {@link TaskInfo} with its attempt history, from its task row ({@link Cql#readTask()}) and its
 * task_attempts rows ({@link Cql#readAttempts()}). A pending task whose last attempt has started and not finished
 * is reported as {@link TaskStatus#RUNNING}.
 */
final class TaskHistory {

    private TaskHistory() {}

    static TaskInfo info(int partition, Row taskRow, Iterable<Row> attemptRows) {
        StoredTask t = Rows.storedTask(taskRow);
        TreeMap<Integer, AttemptInfo> byNumber = new TreeMap<>();
        for (Row r : attemptRows) {
            byNumber.put(
                    r.getInt("attempt"),
                    new AttemptInfo(
                            r.getInt("attempt"),
                            r.getInstant("started_at"),
                            r.getInstant("finished_at"),
                            r.getString("result"),
                            r.getString("error_class"),
                            r.getString("error_message")));
        }
        String lastResult = taskRow.getString("result");
        if (lastResult != null && t.attempts() > 0) {
            // The last finished attempt as the task row records it (a success has no history row of its own).
            AttemptInfo recorded = byNumber.get(t.attempts());
            if (recorded == null || recorded.finishedAt() == null) {
                byNumber.put(
                        t.attempts(),
                        new AttemptInfo(
                                t.attempts(),
                                taskRow.getInstant("started_at"),
                                taskRow.getInstant("finished_at"),
                                lastResult,
                                recorded == null ? null : recorded.errorClass(),
                                recorded == null ? null : recorded.errorMessage()));
            }
        }
        List<AttemptInfo> history = new ArrayList<>(byNumber.values());
        AttemptInfo last = history.isEmpty() ? null : history.get(history.size() - 1);
        boolean running = t.status() == TaskStatus.PENDING && last != null && last.finishedAt() == null;
        return new TaskInfo(
                t.task(),
                partition,
                running ? TaskStatus.RUNNING : t.status(),
                running ? last.attempt() : t.attempts(),
                t.nextAttemptAt(),
                t.lastError(),
                List.copyOf(history));
    }
}
