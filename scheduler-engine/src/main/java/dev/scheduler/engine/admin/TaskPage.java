package dev.scheduler.engine.admin;

import dev.scheduler.engine.TaskInfo;
import java.util.List;

/**
 * One page of {@link AdminService#tasks}.
 *
 * @param tasks the tasks found, by partition then key order. Listings read no attempt history: each task's
 *     {@link TaskInfo#history()} is empty and a running task shows as PENDING; {@link AdminService#task} has both
 * @param nextPageToken pass it to {@link TaskQuery#withPageToken} for the next page; null when the range is done
 * @param rowsScanned stored rows this page read (matching or not), a measure of what the filters cost
 */
public record TaskPage(List<TaskInfo> tasks, String nextPageToken, int rowsScanned) {

    public TaskPage {
        tasks = List.copyOf(tasks);
    }
}
