package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.internal.store.AttemptOutcome;
import dev.scheduler.engine.internal.store.Claim;
import dev.scheduler.engine.internal.store.DeadLetter;
import dev.scheduler.engine.internal.store.LoadBound;
import dev.scheduler.engine.internal.store.LoadResult;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import dev.scheduler.engine.internal.store.TaskStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One engine instance's view of the simulation's shared store: every call goes to the store at once (where the
 * fault wrapper may fail it, delay it, or apply it and then fail), and its answer reaches the caller after a random
 * network latency in virtual time. After each call the simulation notes what the call's keys look like now.
 */
final class SimStore implements TaskStore {

    private static final long MAX_LATENCY_NANOS = 15_000_000L;

    private final PartitionSimulation sim;
    private final TaskStore store;
    private final Object owner;

    SimStore(PartitionSimulation sim, TaskStore store, Object owner) {
        this.sim = sim;
        this.store = store;
        this.owner = owner;
    }

    private <T> CompletionStage<T> call(List<TaskKey> keys, Supplier<CompletionStage<T>> work) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long latency = (long) (sim.random().nextDouble() * MAX_LATENCY_NANOS);
        String op = StackWalker.getInstance()
                .walk(f -> f.skip(1).findFirst().orElseThrow().getMethodName());
        work.get().whenComplete((r, e) -> {
            sim.trace(owner, op + " " + keys + (e == null ? " -> " + r : " FAILED " + e));
            sim.observed(keys);
            sim.after(latency, () -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(r);
                }
            });
        });
        return answer;
    }

    @Override
    public CompletionStage<Void> persist(int partition, List<Task> tasks) {
        if (sim.plantLostWrite()) { // a planted bug: answered as stored, never written (the simulation must see it)
            return call(List.of(), () -> CompletableFuture.completedFuture(null));
        }
        return call(tasks.stream().map(Task::key).toList(), () -> store.persist(partition, tasks));
    }

    @Override
    public CompletionStage<Set<TaskKey>> cancel(int partition, List<TaskKey> keys) {
        return call(keys, () -> store.cancel(partition, keys));
    }

    @Override
    public CompletionStage<List<StoredTask>> resetFailed(int partition, List<RetryRequest> requests) {
        return call(
                requests.stream().map(RetryRequest::key).toList(),
                () -> store.resetFailed(partition, requests).thenApply(reset -> {
                    reset.forEach(r -> sim.reopened(r.task().key()));
                    return reset;
                }));
    }

    @Override
    public CompletionStage<LoadResult> load(int partition, LoadBound from, long upToMillis, int limit) {
        return call(List.of(), () -> store.load(partition, from, upToMillis, limit));
    }

    @Override
    public CompletionStage<Void> recordStart(int partition, Task task, int attempt, Instant startedAt) {
        return call(List.of(), () -> store.recordStart(partition, task, attempt, startedAt));
    }

    @Override
    public CompletionStage<Void> recordOutcomes(int partition, List<AttemptOutcome> outcomes) {
        return call(
                outcomes.stream().map(o -> o.task().key()).toList(), () -> store.recordOutcomes(partition, outcomes));
    }

    @Override
    public CompletionStage<Optional<StoredTask>> read(int partition, TaskKey key) {
        return call(List.of(), () -> store.read(partition, key));
    }

    @Override
    public CompletionStage<Optional<Instant>> readCheckpoint(int partition) {
        return call(List.of(), () -> store.readCheckpoint(partition));
    }

    @Override
    public CompletionStage<Void> writeCheckpoint(int partition, Instant checkpoint) {
        int before = sim.checkpointViolationCount();
        return call(
                List.of(),
                () -> store.writeCheckpoint(partition, checkpoint)
                        .whenComplete((v, e) -> sim.checkpointWritten(owner, checkpoint, before)));
    }

    @Override
    public CompletionStage<Claim> claim(int partition, String owner, long expectedEpoch) {
        sim.claimSent();
        CompletionStage<Claim> answer = call(List.of(), () -> store.claim(partition, owner, expectedEpoch));
        answer.whenComplete((c, e) -> sim.claimAnswered());
        return answer;
    }

    @Override
    public CompletionStage<Optional<OwnerRow>> readOwner(int partition) {
        return call(List.of(), () -> store.readOwner(partition));
    }

    /** A renewal's read, at the read consistency: it may miss a claim in progress (see the simulation). */
    @Override
    public CompletionStage<Optional<OwnerRow>> readOwnerForLease(int partition) {
        Optional<Optional<OwnerRow>> stale = sim.ownerRowMissingClaimsInProgress();
        if (stale.isPresent()) { // through the faults like any read, answering the row from before the claims
            return call(List.of(), () -> store.readOwner(partition).thenApply(ignored -> stale.get()));
        }
        return call(List.of(), () -> store.readOwner(partition));
    }

    @Override
    public CompletionStage<Void> release(int partition, long epoch) {
        return call(List.of(), () -> store.release(partition, epoch));
    }

    @Override
    public CompletionStage<Void> beat(String owner, long beat) {
        return call(List.of(), () -> store.beat(owner, beat));
    }

    @Override
    public CompletionStage<Map<String, Long>> readBeats() {
        return call(List.of(), () -> store.readBeats());
    }

    @Override
    public CompletionStage<Void> deadLetter(List<DeadLetter> letters) {
        return call(List.of(), () -> store.deadLetter(letters));
    }
}
