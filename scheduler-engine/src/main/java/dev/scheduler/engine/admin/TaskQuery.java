package dev.scheduler.engine.admin;

import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.TaskStatus;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which tasks {@link AdminService#tasks} lists: those scheduled in {@code [from, to)}, optionally of some statuses,
 * one ordering id, one partition, or only those with an error. Start with {@link #between(Instant, Instant)}.
 *
 * <p>Tasks are listed partition by partition, then in time order, by scanning the time buckets in which they are
 * stored and filtering in memory; one page reads a bounded number of buckets and rows, so a page may hold fewer
 * than {@code pageSize} tasks (even none) and still have a next page. Give an ordering id or a partition to scan
 * one partition only.
 *
 * @param from the earliest scheduled time listed (inclusive)
 * @param to the end of the range (exclusive); after {@code from}
 * @param statuses the statuses listed; empty for all. {@link TaskStatus#RUNNING} is not stored, so it cannot be
 *     asked for: a running task is listed as PENDING
 * @param orderingId only this ordering id (its partition is scanned), or null
 * @param partition only this partition, or null
 * @param errorsOnly only tasks with a last error: failed ones, and pending ones waiting for a retry
 * @param pageSize tasks per page, 1 to {@value #MAX_PAGE_SIZE}; default {@value #DEFAULT_PAGE_SIZE}
 * @param pageToken where the previous page ended ({@link TaskPage#nextPageToken()}), or null for the first page;
 *     valid only with the same filters
 */
public record TaskQuery(
        Instant from,
        Instant to,
        Set<TaskStatus> statuses,
        String orderingId,
        Integer partition,
        boolean errorsOnly,
        int pageSize,
        String pageToken) {

    /** The largest page: larger ones would make one request read too much of Cassandra. */
    public static final int MAX_PAGE_SIZE = 500;

    public static final int DEFAULT_PAGE_SIZE = 50;

    /**
     * Checks the fields and copies {@code statuses}.
     *
     * @throws IllegalArgumentException naming the field and the limit
     */
    public TaskQuery {
        if (from == null || to == null) {
            throw new IllegalArgumentException("from and to are required, were " + from + " and " + to);
        }
        Instant end = TaskKey.MAX_SCHEDULED_TIME.plusMillis(1);
        if (from.isBefore(TaskKey.MIN_SCHEDULED_TIME) || to.isAfter(end)) {
            throw new IllegalArgumentException("from and to must lie between " + TaskKey.MIN_SCHEDULED_TIME + " and "
                    + end + ", the range of scheduled times, were " + from + " and " + to);
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
        }
        if (statuses == null) {
            throw new IllegalArgumentException("statuses must not be null; empty means every status");
        }
        if (statuses.contains(TaskStatus.RUNNING)) {
            throw new IllegalArgumentException("status RUNNING cannot be listed: it is not stored (a running task is "
                    + "listed as PENDING); use one of PENDING, FAILED, CANCELLED, SUCCEEDED");
        }
        statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (orderingId != null && orderingId.isBlank()) {
            throw new IllegalArgumentException("orderingId must not be blank when given");
        }
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("partition must be 0 or more, was " + partition);
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (pageToken != null && pageToken.isBlank()) {
            pageToken = null;
        }
    }

    /** Every task scheduled in {@code [from, to)}, first page, {@value #DEFAULT_PAGE_SIZE} a page. */
    public static TaskQuery between(Instant from, Instant to) {
        return new TaskQuery(from, to, Set.of(), null, null, false, DEFAULT_PAGE_SIZE, null);
    }

    /** A copy listing only these statuses (none: all). */
    public TaskQuery withStatuses(TaskStatus... wanted) {
        return new TaskQuery(
                from,
                to,
                wanted.length == 0 ? Set.of() : EnumSet.of(wanted[0], wanted),
                orderingId,
                partition,
                errorsOnly,
                pageSize,
                pageToken);
    }

    /** A copy listing only these statuses (empty: all). */
    public TaskQuery withStatuses(Set<TaskStatus> wanted) {
        return new TaskQuery(from, to, wanted, orderingId, partition, errorsOnly, pageSize, pageToken);
    }

    /** A copy listing one ordering id only (null: any). */
    public TaskQuery withOrderingId(String id) {
        return new TaskQuery(from, to, statuses, id, partition, errorsOnly, pageSize, pageToken);
    }

    /** A copy listing one partition only (null: all). */
    public TaskQuery withPartition(Integer p) {
        return new TaskQuery(from, to, statuses, orderingId, p, errorsOnly, pageSize, pageToken);
    }

    /** A copy listing only tasks with a last error (or all again). */
    public TaskQuery withErrorsOnly(boolean only) {
        return new TaskQuery(from, to, statuses, orderingId, partition, only, pageSize, pageToken);
    }

    /** A copy with another page size. */
    public TaskQuery withPageSize(int size) {
        return new TaskQuery(from, to, statuses, orderingId, partition, errorsOnly, size, pageToken);
    }

    /** A copy asking for the page after the one that returned {@code token}. */
    public TaskQuery withPageToken(String token) {
        return new TaskQuery(from, to, statuses, orderingId, partition, errorsOnly, pageSize, token);
    }
}
