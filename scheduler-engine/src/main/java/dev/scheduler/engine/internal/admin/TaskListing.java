package dev.scheduler.engine.internal.admin;

import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskPartitioner;
import dev.scheduler.engine.TaskInfo;
import dev.scheduler.engine.admin.TaskPage;
import dev.scheduler.engine.admin.TaskQuery;
import dev.scheduler.engine.internal.store.AdminReads;
import dev.scheduler.engine.internal.store.StoredTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The task listing of {@link dev.scheduler.engine.admin.AdminService#tasks}: range reads of one (partition, bucket)
 * at a time, in partition then key order, filtered as they are read. A page stops at the page size or at the
 * bounds of {@link EngineAdmin} on queries and rows read, and its {@link PageToken} records where, bound to the
 * query's filters.
 */
final class TaskListing {

    private static final int FETCH_SIZE = 500;

    private final AdminReads reads;
    private final EngineAdmin.Identity identity;

    TaskListing(AdminReads reads, EngineAdmin.Identity identity) {
        this.reads = reads;
        this.identity = identity;
    }

    /** One page of the listing for {@code q}. Blocking: call it on an admin thread. */
    TaskPage page(TaskQuery q) {
        List<Integer> partitions = partitionsOf(q);
        String filters = q.from().toEpochMilli() + "|" + q.to().toEpochMilli() + "|" + new TreeSet<>(q.statuses())
                + "|" + Objects.toString(q.orderingId(), "") + "|" + Objects.toString(q.partition(), "") + "|"
                + q.errorsOnly();
        long from = q.from().toEpochMilli();
        long to = q.to().toEpochMilli();
        long firstBucket = reads.buckets().bucketOf(from);
        long lastBucket = reads.buckets().bucketOf(to - 1);
        int index = 0;
        long bucket = firstBucket;
        TaskKey after = null;
        if (q.pageToken() != null) {
            PageToken t =
                    PageToken.decode(q.pageToken(), filters, "from, to, status, orderingId, partition and errorsOnly");
            index = t.index();
            bucket = t.position();
            after = t.after();
        }
        int checksum = PageToken.checksum(filters);
        List<TaskInfo> found = new ArrayList<>();
        int queries = 0;
        int rows = 0;
        while (index < partitions.size()) {
            if (bucket > lastBucket || bucket < firstBucket) {
                index++;
                bucket = firstBucket;
                after = null;
                continue;
            }
            if (queries >= EngineAdmin.MAX_QUERIES_PER_PAGE || rows >= EngineAdmin.MAX_ROWS_PER_PAGE) {
                return new TaskPage(found, new PageToken(checksum, index, bucket, after).encode(), rows);
            }
            int partition = partitions.get(index);
            int limit = Math.min(FETCH_SIZE, EngineAdmin.MAX_ROWS_PER_PAGE - rows);
            List<StoredTask> got = reads.bucketRows(partition, bucket, after, from, to, limit);
            queries++;
            for (StoredTask row : got) {
                rows++;
                after = row.task().key();
                if (matches(q, row)) {
                    found.add(new TaskInfo(
                            row.task(),
                            partition,
                            row.status(),
                            row.attempts(),
                            row.nextAttemptAt(),
                            row.lastError(),
                            List.of()));
                    if (found.size() == q.pageSize()) {
                        return new TaskPage(found, new PageToken(checksum, index, bucket, after).encode(), rows);
                    }
                }
            }
            if (got.size() < limit) {
                bucket++;
                after = null;
            }
        }
        return new TaskPage(found, null, rows);
    }

    private List<Integer> partitionsOf(TaskQuery q) {
        int count = identity.partitionCount();
        if (q.partition() != null && q.partition() >= count) {
            throw new IllegalArgumentException("partition " + q.partition() + " does not exist: topic '"
                    + identity.topic() + "' has " + count + " partitions (0 to " + (count - 1) + ")");
        }
        if (q.orderingId() != null) {
            int p = TaskPartitioner.partitionFor(q.orderingId(), count);
            if (q.partition() != null && q.partition() != p) {
                throw new IllegalArgumentException("orderingId '" + q.orderingId() + "' is on partition " + p + ", not "
                        + q.partition() + ": give one of them");
            }
            return List.of(p);
        }
        if (q.partition() != null) {
            return List.of(q.partition());
        }
        List<Integer> all = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            all.add(p);
        }
        return all;
    }

    private static boolean matches(TaskQuery q, StoredTask row) {
        return (q.statuses().isEmpty() || q.statuses().contains(row.status()))
                && (q.orderingId() == null
                        || q.orderingId().equals(row.task().key().orderingId()))
                && (!q.errorsOnly() || row.lastError() != null);
    }
}
