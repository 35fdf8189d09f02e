package dev.scheduler.engine.internal.partition;

import dev.scheduler.client.Task;
import dev.scheduler.client.TaskKey;
import dev.scheduler.engine.EngineSettings;
import dev.scheduler.engine.NonRetryableException;
import dev.scheduler.engine.RetryPolicy;
import dev.scheduler.engine.TaskContext;
import dev.scheduler.engine.TaskStatus;
import dev.scheduler.engine.internal.liveness.Heartbeats;
import dev.scheduler.engine.internal.observe.AttemptEvents;
import dev.scheduler.engine.internal.store.OwnerRow;
import dev.scheduler.engine.internal.store.RetryRequest;
import dev.scheduler.engine.internal.store.StoredTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One seed of the partition simulation: one Kafka partition, a topic, one store shared by two or three engine
 * instances that compete for the partition, and a run of random records, handoffs, crashes, pauses, store faults
 * and executors that fail, hang or ignore interruption, all in virtual time on one thread (see {@link SimScheduler}
 * and {@link SimDispatch}). The partition's actors are the engine's own ({@link PartitionScheduler} with its
 * persister and runner); what stands in for the rest is the Kafka consumer and group ({@link #poll}, {@link
 * #assign}), the store's latency ({@link SimStore}) and the user's executor ({@link #startAttempt}).
 *
 * <p>After the disorder the instances come back, faults stop, and the run settles; then {@link #violations} holds
 * every broken invariant: an acknowledged task not finished, a (key, attempt) started twice where no crash, fence
 * or abandoned attempt excuses it, a task started after it finished or after a cancel stored before its owner
 * started, a task started before an earlier-keyed one of its ordering id acknowledged before its owner started,
 * two attempts of one ordering id at once under valid leases, a start after a fence or after the partition's
 * handoff ended, a checkpoint past an unfinished task, and memory beyond its bound.
 */
final class PartitionSimulation {

    static final int PARTITION = 0;
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private static final long MS = 1_000_000L;
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final long DISORDER_NANOS = 12_000 * MS;
    private static final long SETTLE_NANOS = 60_000 * MS;

    static final EngineSettings SETTINGS = EngineSettings.builder()
            .lookAhead(Duration.ofSeconds(2))
            .loadInterval(Duration.ofMillis(200))
            .loadBatchSize(6)
            .maxTasksInMemoryPerPartition(12)
            .maxUnpersistedRecordsPerPartition(40)
            .maxRunningPerPartition(3)
            .executionTimeout(Duration.ofSeconds(1))
            .shutdownTimeout(Duration.ofMillis(1500))
            .ownerLease(Duration.ofSeconds(3))
            .storeRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(400))
            .retryPolicy(RetryPolicy.defaults()
                    .withMaxAttempts(3)
                    .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                    .withJitter(0))
            .build();

    enum Kind {
        TASK,
        CANCEL,
        RETRY
    }

    /** A record on the topic. */
    record Rec(Kind kind, Task task, TaskKey key, Instant kafkaTime) {}

    /** What one seed did, for the summary. */
    record Outcome(
            long seed,
            List<String> violations,
            int tasks,
            int attempts,
            int excusedDuplicates,
            long declined,
            int handoffs,
            int crashes,
            int pauses,
            int faults,
            long steps) {}

    private final long seed;
    private final SimScheduler time;
    private final ActorSystem<Spawn> system;
    private final Random random;
    /** Where the engine's clock stands at the seed's start ({@link #seedNanos}): every seed renews at its own phase. */
    private final long clockPhaseNanos;
    /** Draws how long attempts wait for a pool thread. */
    private final Random pickups;

    private long declined;
    private final FakeTaskStore fake = new FakeTaskStore();
    private final FaultyTaskStore faulty;
    private final long startNanos;
    private final Clock clock;
    private final List<Rec> topic = new ArrayList<>();
    private final List<Cancellable> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Instance> instances = new ArrayList<>();
    private final List<Incarnation> allIncarnations = new ArrayList<>();
    private final Map<TaskKey, Long> firstTerminalNanos = new HashMap<>();
    private final Map<TaskKey, Long> cancelStoredNanos = new HashMap<>();
    private final Set<TaskKey> cancelRecords = new HashSet<>();
    private final Map<TaskKey, Integer> taskOffsets = new HashMap<>();
    /** (key, attempt) to the owner that started it: an incarnation and its claim's epoch. */
    private final Map<String, String> attemptsStarted = new HashMap<>();

    private final Map<String, Incarnation> attemptsStartedBy = new HashMap<>();

    private long committed;
    private Instance assignee;
    private int incarnations;
    private int heartbeatHosts;
    private final List<AtomicReference<ActorRef<Crash>>> allHeartbeatHosts = new ArrayList<>();
    private int attempts;
    private int excused;
    private int handoffs;
    private int crashes;
    private int pauses;
    private long steps;
    private boolean settling;

    private static int runs;

    /** Names this run's actors apart from those of earlier runs (a seed may run twice in one actor system). */
    private final String prefix;

    PartitionSimulation(long seed, SimScheduler time, ActorSystem<Spawn> system) {
        this(seed, time, system, false);
    }

    private final boolean plantedBug;
    private int persists;

    /** @param plantedBug one write of tasks is answered as stored and never written: the run must fail */
    PartitionSimulation(long seed, SimScheduler time, ActorSystem<Spawn> system, boolean plantedBug) {
        this.plantedBug = plantedBug;
        this.seed = seed;
        this.prefix = "s" + seed + "r" + (++runs);
        this.time = time;
        this.system = system;
        this.random = new Random(seed);
        this.clockPhaseNanos = Math.floorMod(new Random(~seed).nextLong(), 10_000_000_000L); // apart from the rest
        this.pickups = new Random(seed ^ 0x5DEECE66DL); // its own, so that the other draws keep their order
        this.startNanos = time.nanoTime();
        this.clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return EPOCH.plusNanos(time.nanoTime() - startNanos);
            }
        };
        this.faulty = FaultyTaskStore.seeded(fake, seed * 31 + 7, 0.08)
                .delayWith((delay, call) -> after(delay.toNanos(), call), Duration.ofMillis(300));
    }

    // ---- the run ----

    Outcome run() {
        int instanceCount = 2 + random.nextInt(2);
        for (int i = 0; i < instanceCount; i++) {
            Instance inst = new Instance(String.valueOf((char) ('a' + i)));
            instances.add(inst);
            startHeartbeats(inst);
            every(POLL_INTERVAL.toNanos(), () -> poll(inst));
        }
        planRecords();
        planDisorder();
        assign(instances.get(random.nextInt(instances.size())));
        runUntil(startNanos + DISORDER_NANOS);
        settle();
        long deadline = startNanos + DISORDER_NANOS + SETTLE_NANOS;
        while (time.nanoTime() < deadline && !allFinished()) {
            runUntil(Math.min(deadline, time.nanoTime() + 500 * MS));
        }
        checkFinished();
        tearDown();
        return new Outcome(
                seed,
                List.copyOf(violations),
                taskOffsets.size(),
                attempts,
                excused,
                declined,
                handoffs,
                crashes,
                pauses,
                faulty.injected().size(),
                steps);
    }

    private void runUntil(long untilNanos) {
        while (true) {
            if (SimDispatch.INSTANCE.runOne(random, this::eligible)) {
                if (++steps > 3_000_000) {
                    throw new IllegalStateException("seed " + seed + ": more than 3,000,000 steps: a livelock");
                }
                continue;
            }
            if (!time.runNext(untilNanos)) {
                time.advanceTo(untilNanos);
                return;
            }
        }
    }

    /** A paused instance's actors run nothing. */
    private boolean eligible(String path) {
        for (Instance inst : instances) {
            if (inst.paused && path.contains("/" + prefix + "-" + inst.name + "-")) {
                return false;
            }
        }
        return true;
    }

    private void planRecords() {
        int tasks = 25 + random.nextInt(40);
        int orderingIds = 2 + random.nextInt(4);
        List<Task> planned = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            long at = (long) (random.nextDouble() * (DISORDER_NANOS - 1_000 * MS));
            // Due from 2 s before it is published to 3 s after; some share a millisecond with the previous one.
            long due = i > 0 && random.nextInt(6) == 0
                    ? planned.get(i - 1).key().scheduledTime().toEpochMilli()
                    : EPOCH.toEpochMilli() + at / MS + random.nextInt(5_000) - 2_000;
            Task task =
                    Task.of("o" + random.nextInt(orderingIds), Instant.ofEpochMilli(due), "u" + i, Map.of("i", "" + i));
            planned.add(task);
            atTime(at, () -> publish(new Rec(Kind.TASK, task, task.key(), clock.instant())));
            if (random.nextInt(20) == 0) { // published twice
                atTime(
                        at + random.nextInt(3_000) * MS,
                        () -> publish(new Rec(Kind.TASK, task, task.key(), clock.instant())));
            }
            if (random.nextInt(7) == 0) { // cancelled, maybe before it is due, maybe while it runs or after
                cancelRecords.add(task.key());
                long when = Math.max(0, at + (random.nextInt(4_000) - 500) * MS);
                atTime(when, () -> publish(new Rec(Kind.CANCEL, null, task.key(), clock.instant())));
            }
            if (random.nextInt(8) == 0) { // an operator retry, applied only if the task failed by then
                for (int r = 1 + random.nextInt(2); r > 0; r--) {
                    long when = at + random.nextInt(6_000) * MS;
                    atTime(when, () -> publish(new Rec(Kind.RETRY, null, task.key(), clock.instant())));
                }
            }
        }
    }

    private void planDisorder() {
        int events = 1 + random.nextInt(5);
        for (int i = 0; i < events; i++) {
            long at = 500 * MS + (long) (random.nextDouble() * (DISORDER_NANOS - 2_000 * MS));
            int what = random.nextInt(4);
            atTime(at, () -> {
                switch (what) {
                    case 0, 1 -> handOff();
                    case 2 -> crash();
                    default -> pause(500 + random.nextInt(5_500));
                }
            });
        }
    }

    private void publish(Rec rec) {
        trace(null, "publish @" + topic.size() + " " + rec.kind() + " " + rec.key());
        if (rec.kind() == Kind.TASK) {
            taskOffsets.putIfAbsent(rec.key(), topic.size());
        }
        topic.add(rec);
    }

    // ---- the Kafka side: group, consumer, commits ----

    /** The group gives the partition to {@code to}: a new handle from the committed offset, new actors. */
    private void assign(Instance to) {
        if (to.inc != null) {
            // Still holds an incarnation the group took away while it was paused (its poll loop has not noticed
            // yet): as the consumer's lost callback does, it stops it first, and the new one waits for it.
            Incarnation old = to.inc;
            to.inc = null;
            stop(old, false, true);
            if (!old.actorsPending) {
                to.draining = old;
            }
        }
        assignee = to;
        Incarnation inc = new Incarnation(to, ++incarnations);
        allIncarnations.add(inc);
        trace(inc, "assigned from offset " + committed + ", topic end " + topic.size());
        to.inc = inc;
        Incarnation draining = to.draining;
        if (draining != null && !draining.stopped) {
            // As TaskConsumer does: the partition's earlier actors on this instance still hand off; a claim now
            // would fence them in their attempts. The new ones start once those have stopped.
            trace(inc, "waits for " + draining + " to stop");
            inc.actorsPending = true;
            draining.onStopped = () -> {
                inc.actorsPending = false;
                if (!inc.crashed && to.inc == inc) {
                    spawnActors(inc);
                }
            };
            return;
        }
        spawnActors(inc);
    }

    private void spawnActors(Incarnation inc) {
        Instance to = inc.instance;
        PartitionContext context = new PartitionContext(
                SETTINGS,
                new SimStore(this, faulty, inc),
                (attempt, mayStart) -> startAttempt(inc, attempt, mayStart),
                clock,
                inc.handle,
                AttemptEvents.NONE,
                to.heartbeats);
        AtomicReference<ActorRef<PartitionScheduler.Command>> child = new AtomicReference<>();
        Behavior<Crash> host = Behaviors.setup(ctx -> {
            child.set(ctx.spawn(
                    Behaviors.supervise(PartitionScheduler.create(context))
                            .onFailure(
                                    Exception.class,
                                    SupervisorStrategy.restartWithBackoff(
                                            Duration.ofMillis(200), Duration.ofSeconds(2), 0)),
                    "partition"));
            return Behaviors.receive(Crash.class)
                    .onMessage(Crash.class, c -> Behaviors.stopped())
                    .build();
        });
        inc.host = spawn(host, inc.name);
        inc.child = child;
    }

    private enum Crash {
        INSTANCE
    }

    /**
     * To the actor system's guardian, which runs on the simulation's dispatch: spawn a child. Spawning through
     * the guardian keeps every actor's creation and end on the simulation's thread ({@code systemActorOf} goes
     * through the system guardian, which runs on a thread of its own).
     */
    record Spawn(Behavior<?> behavior, String name, java.util.function.Consumer<ActorRef<?>> spawned) {}

    /** The guardian of the simulation's actor system. */
    static Behavior<Spawn> guardian() {
        return Behaviors.receive((ctx, spawn) -> {
            spawn.spawned().accept(ctx.spawn(spawn.behavior(), spawn.name()));
            return Behaviors.same();
        });
    }

    /** Spawns under the guardian; the reference is there once the guardian ran (at once, in a run's steps). */
    private <T> AtomicReference<ActorRef<T>> spawn(Behavior<T> behavior, String name) {
        AtomicReference<ActorRef<T>> ref = new AtomicReference<>();
        spawn(behavior, name, ref::set);
        return ref;
    }

    @SuppressWarnings("unchecked")
    private <T> void spawn(Behavior<T> behavior, String name, java.util.function.Consumer<ActorRef<T>> then) {
        system.tell(new Spawn(behavior, name, r -> then.accept((ActorRef<T>) r)));
    }

    /** One pass of an instance's poll loop, in TaskConsumer's order: hand over, rewinds, caught up, commit. */
    private void poll(Instance inst) {
        if (inst.crashed || inst.paused || inst.inc == null) {
            return;
        }
        Incarnation inc = inst.inc;
        if (assignee != inst) { // the group moved the partition while this one was away: lost, no commit
            inst.inc = null;
            stop(inc, false, true);
            return;
        }
        ActorRef<PartitionScheduler.Command> ref = inc.child.get();
        if (ref == null) {
            return; // its actors are not started yet
        }
        PartitionHandle h = inc.handle;
        if (inc.position < topic.size() && h.unpersisted() < SETTINGS.maxUnpersistedRecordsPerPartition()) {
            int end = (int) Math.min(topic.size(), inc.position + 1 + random.nextInt(8));
            List<Task> tasks = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            List<TaskKey> cancels = new ArrayList<>();
            List<RetryRequest> retries = new ArrayList<>();
            for (int o = (int) inc.position; o < end; o++) {
                Rec r = topic.get(o);
                switch (r.kind()) {
                    case TASK -> {
                        tasks.add(r.task());
                        offsets.add((long) o);
                    }
                    case CANCEL -> cancels.add(r.key());
                    case RETRY -> retries.add(new RetryRequest(r.key(), r.kafkaTime()));
                }
            }
            int count = end - (int) inc.position;
            h.recordsHandedOver(count);
            h.handedOver(inc.position, end);
            trace(inc, "ingest " + inc.position + ".." + end + " gen " + h.generation());
            ref.tell(new PartitionScheduler.Ingest(
                    h.generation(), tasks, offsets, cancels, retries, List.of(), count, end));
            inc.position = end;
        }
        if (h.takeRewindRequest()) {
            trace(inc, "rewind to " + h.durableOffset() + ", catch up to " + topic.size());
            inc.position = h.durableOffset();
            h.catchUpTo(topic.size());
        }
        if (!h.caughtUp() && h.noteCaughtUp(inc.position)) {
            trace(inc, "caught up at " + inc.position);
            ref.tell(new PartitionScheduler.CaughtUp());
        }
        committed = h.durableOffset();
        if (h.tasksInMemory() > SETTINGS.maxTasksInMemoryPerPartition()) {
            violate(
                    inc,
                    "holds " + h.tasksInMemory() + " tasks in memory, more than the bound "
                            + SETTINGS.maxTasksInMemoryPerPartition());
        }
    }

    /**
     * Asks the actors to stop; {@code commit}: commit the durable offset once stopped; {@code lost}: the group gave
     * the partition to another instance while this one was away (no clean handoff).
     */
    private void stop(Incarnation inc, boolean commit, boolean lost) {
        ActorRef<PartitionScheduler.Command> ref = inc.child.get();
        if (ref == null || inc.stopAsked) {
            return;
        }
        inc.stopAsked = true;
        inc.lost |= lost;
        inc.fencedBeforeStop = inc.handle.fenced();
        spawn(
                Behaviors.receive(PartitionScheduler.Stopped.class)
                        .onMessage(PartitionScheduler.Stopped.class, s -> {
                            inc.abandoned = s.abandonedAttempts();
                            stopped(inc, commit);
                            return Behaviors.stopped();
                        })
                        .build(),
                inc.name + "-stop",
                reply -> ref.tell(new PartitionScheduler.Stop(reply)));
        // The poll thread waits at most shutdownTimeout + 6 s, then goes on without the answer.
        after(SETTINGS.shutdownTimeout().toNanos() + 6_000 * MS, () -> stopped(inc, commit));
    }

    private void stopped(Incarnation inc, boolean commit) {
        if (inc.stopped) {
            return;
        }
        inc.stopped = true;
        if (commit && !inc.instance.crashed) {
            committed = inc.handle.durableOffset();
        }
        if (inc.onStopped != null) {
            inc.onStopped.run();
        }
    }

    /**
     * A graceful handoff, as TaskConsumer makes it: the revoke commits the durable offset and asks the owner to
     * stop (drain, release) without waiting; the group gives the partition to another instance at once, whose
     * actors wait for the release (or the old owner's lease) before claiming it.
     */
    private void handOff() {
        Instance from = assignee;
        List<Instance> others = live(from);
        if (from == null || from.crashed || from.paused || from.inc == null || others.isEmpty()) {
            return;
        }
        handoffs++;
        Incarnation inc = from.inc;
        trace(inc, "handoff asked");
        Instance to = others.get(random.nextInt(others.size()));
        committed = inc.handle.durableOffset();
        stop(inc, false, false);
        from.inc = null;
        if (!inc.actorsPending) {
            from.draining = inc;
        } // else never spawned: the earlier actors it waited for still drain, as OwnedPartitions keeps them
        assign(to);
    }

    /** The owner's process dies: its actors and attempts vanish; the group notices after the session timeout. */
    private void crash() {
        Instance victim = assignee;
        if (victim == null || victim.crashed) {
            return;
        }
        crashes++;
        victim.crashed = true;
        trace(victim.inc, "crash of " + victim.name);
        if (victim.inc != null) {
            victim.inc.crashed = true;
            crashHost(victim.inc);
            victim.inc = null;
        }
        assignee = null;
        after(SESSION_TIMEOUT.toNanos(), this::reassign);
        stopHeartbeats(victim);
        after((1_000 + random.nextInt(4_000)) * MS, () -> restart(victim)); // restarted, rejoins
    }

    /** The owner's process is paused (GC, SIGSTOP): nothing of it runs; the group moves on after the timeout. */
    private void pause(int millis) {
        Instance victim = assignee;
        if (victim == null || victim.crashed || victim.paused) {
            return;
        }
        pauses++;
        victim.paused = true;
        if (victim.inc != null) {
            victim.inc.pausedEver = true;
        }
        trace(victim.inc, "pause of " + victim.name + " for " + millis + " ms");
        if (millis > SESSION_TIMEOUT.toMillis()) {
            after(SESSION_TIMEOUT.toNanos(), () -> {
                if (assignee == victim) {
                    assignee = null;
                    reassign();
                }
            });
        }
        after(millis * MS, () -> victim.paused = false);
    }

    /**
     * The monotonic clock the engine's parts measure leases by: the simulated time since this seed began, from a
     * phase of the seed's own. Not the scheduler's clock: it goes on from seed to seed, and lease renewals fall on
     * multiples of the engine's clock, so a seed would not replay alone as it ran after others (found when renewals
     * began to share ticks: seed 1442690 failed after seed 1442689 only).
     */
    private long seedNanos() {
        return clockPhaseNanos + time.nanoTime() - startNanos;
    }

    /** The instance's heartbeat actor: named like its partitions' actors, so that a pause stops it too. */
    private void startHeartbeats(Instance inst) {
        inst.heartbeats = new Heartbeats(
                new SimStore(this, faulty, inst.name),
                inst.name,
                SETTINGS.ownerLease(),
                this::seedNanos,
                random.nextLong());
        Behavior<Crash> host = Behaviors.setup(ctx -> {
            ctx.spawn(inst.heartbeats.behavior(), "heartbeats");
            return Behaviors.receive(Crash.class)
                    .onMessage(Crash.class, c -> Behaviors.stopped())
                    .build();
        });
        inst.heartbeatHost = spawn(host, prefix + "-" + inst.name + "-hb" + (++heartbeatHosts));
        allHeartbeatHosts.add(inst.heartbeatHost);
    }

    private void stopHeartbeats(Instance inst) {
        AtomicReference<ActorRef<Crash>> host = inst.heartbeatHost;
        if (host.get() != null) {
            host.get().tell(Crash.INSTANCE);
        } else {
            after(0, () -> stopHeartbeats(inst));
        }
    }

    /** A crashed instance's process starts again: a new heartbeat (a new value), no partition yet. */
    private void restart(Instance inst) {
        if (inst.crashed) {
            inst.crashed = false;
            startHeartbeats(inst);
        }
    }

    private void reassign() {
        if (assignee != null) {
            return;
        }
        List<Instance> candidates = live(null);
        if (candidates.isEmpty()) {
            after(500 * MS, this::reassign);
            return;
        }
        assign(candidates.get(random.nextInt(candidates.size()))); // a lost incarnation it holds stops first
    }

    private List<Instance> live(Instance except) {
        return instances.stream()
                .filter(i -> i != except && !i.crashed && !i.paused)
                .toList();
    }

    /** The disorder ends: every instance is back, the store stops failing, somebody owns the partition. */
    private void settle() {
        settling = true;
        faulty.noMoreFaults();
        for (Instance inst : instances) {
            if (inst.crashed) {
                restart(inst);
            }
            inst.paused = false;
        }
        if (assignee == null) {
            after(SESSION_TIMEOUT.toNanos(), this::reassign);
        }
    }

    // ---- the executor, in virtual time ----

    /**
     * An attempt handed to the instance's pool: most get a thread at once; some wait for one (up to 30 ms), and a
     * pause may fall in that wait, after which the gateway declines an attempt whose lease ran out.
     */
    private ExecutionGateway.Attempt startAttempt(Incarnation inc, TaskContext ctx, BooleanSupplier mayStart) {
        int wait = pickups.nextInt(100) < 80 ? 0 : 1 + pickups.nextInt(30);
        if (wait == 0) {
            return pickedUp(inc, ctx, mayStart);
        }
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        CompletableFuture<Void> returned = new CompletableFuture<>();
        onInstance(inc, wait * MS, () -> {
            ExecutionGateway.Attempt a = pickedUp(inc, ctx, mayStart);
            a.outcome().whenComplete((v, e) -> {
                if (e != null) {
                    outcome.completeExceptionally(e);
                } else {
                    outcome.complete(null);
                }
            });
            a.returned().whenComplete((v, e) -> returned.complete(null));
        });
        return new ExecutionGateway.Attempt(outcome, returned);
    }

    private ExecutionGateway.Attempt pickedUp(Incarnation inc, TaskContext ctx, BooleanSupplier mayStart) {
        TaskKey key = ctx.task().key();
        int attempt = ctx.attempt();
        if (!mayStart.getAsBoolean()) {
            declined++;
            trace(inc, "declined " + key + "#" + attempt + " (lease ran out before a thread had it)");
            return new ExecutionGateway.Attempt(
                    CompletableFuture.failedFuture(new ExecutionGateway.Declined()),
                    CompletableFuture.completedFuture(null));
        }
        attempts++;
        trace(inc, "start " + key + "#" + attempt);
        checkStart(inc, key, attempt);
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        CompletableFuture<Void> returned = new CompletableFuture<>();
        inc.running.put(key.orderingId(), key + "#" + attempt);
        long timeout = SETTINGS.executionTimeout().toNanos();
        int kind = random.nextInt(100);
        long runs;
        Throwable error = null;
        boolean honoursInterrupt = true;
        if (kind < 65) {
            runs = (1 + random.nextInt(300)) * MS;
        } else if (kind < 82) {
            runs = (1 + random.nextInt(200)) * MS;
            error = new IllegalStateException("simulated failure of " + key + " attempt " + attempt);
        } else if (kind < 86) {
            runs = (1 + random.nextInt(200)) * MS;
            error = new NonRetryableException("simulated permanent failure");
        } else if (kind < 94) {
            runs = timeout + 1_000 * MS; // hangs; returns when interrupted at the timeout
        } else {
            runs = timeout + (100 + random.nextInt(4_000)) * MS; // ignores interruption
            honoursInterrupt = false;
        }
        Throwable failure = error;
        long ends = honoursInterrupt ? Math.min(runs, timeout) : runs;
        if (runs > timeout) {
            onInstance(inc, timeout, () -> outcome.completeExceptionally(new TimeoutException("timed out")));
        }
        onInstance(inc, ends, () -> {
            if (runs <= timeout) {
                if (failure == null) {
                    outcome.complete(null);
                } else {
                    outcome.completeExceptionally(failure);
                }
            }
            inc.running.remove(key.orderingId());
            returned.complete(null);
        });
        return new ExecutionGateway.Attempt(outcome, returned);
    }

    /** Runs {@code task} on the instance's executor thread: never if its process died, later if it is paused. */
    private void onInstance(Incarnation inc, long delayNanos, Runnable task) {
        after(delayNanos, () -> {
            if (inc.crashed) {
                return;
            }
            if (inc.instance.paused) {
                onInstance(inc, 50 * MS, task);
                return;
            }
            task.run();
        });
    }

    private void checkStart(Incarnation inc, TaskKey key, int attempt) {
        String id = key + "#" + attempt;
        if (inc.handle.fenced()) {
            violate(inc, "started " + id + " after it was fenced");
        }
        if (inc.stopped && !inc.instance.crashed) {
            violate(inc, "started " + id + " after its partition's handoff ended");
        }
        // A restart after a fence claims again with a new epoch: a new owner, though the same handle.
        String owner = inc.label + "@" + inc.handle.ownerEpoch();
        String earlier = attemptsStarted.put(id, owner);
        Incarnation first = attemptsStartedBy.put(id, inc);
        if (owner.equals(earlier)) {
            violate(inc, "started " + id + " twice");
        } else if (earlier != null) {
            // Another owner started it and did not record its end: only a crash, a pause, a lost partition, a
            // fence, a restart or an attempt abandoned at the shutdown timeout excuses that; a clean handoff does not.
            boolean excuse = first != inc
                    ? first.crashed
                            || first.pausedEver
                            || first.lost
                            || (first.stopAsked && first.abandoned != 0)
                            || first.fencedBeforeStop
                            || (first.handle.fenced() && !first.stopAsked)
                    : true; // the same handle, another epoch: the partition restarted (a fence, a failed child)
            if (excuse) {
                excused++;
            } else {
                violate(inc, "started " + id + " again after " + first.label + " handed over cleanly");
            }
        }
        Optional<StoredTask> row = fake.row(PARTITION, key);
        if (row.isEmpty()) {
            violate(inc, "started " + id + ", which was never stored");
        } else {
            TaskStatus status = row.get().status();
            // An operator retry reopened a FAILED task, and the runner's outcome write, sent again after it had
            // applied and reported a failure, may land after the reset and show FAILED again (a known limit).
            boolean reopened = status == TaskStatus.FAILED && reopenedKeys.contains(key);
            if (status == TaskStatus.SUCCEEDED || (status == TaskStatus.FAILED && !reopened)) {
                violate(inc, "started " + id + " although the store holds it " + status);
            }
            if (row.get().attempts() >= attempt && !reopened) {
                violate(inc, "started " + id + " although attempt " + row.get().attempts() + " is recorded");
            }
            Long cancelled = cancelStoredNanos.get(key);
            if (status == TaskStatus.CANCELLED && cancelled != null && cancelled < inc.assignedNanos) {
                violate(inc, "started " + id + ", cancelled before this owner was assigned");
            }
        }
        String running = inc.running.get(key.orderingId());
        if (running != null) {
            violate(inc, "started " + id + " while " + running + " still runs on the same owner");
        }
        for (Instance other : instances) {
            Incarnation o = other.inc;
            if (o != null && o != inc && !o.crashed && o.handle.leaseValid()) {
                String theirs = o.running.get(key.orderingId());
                if (theirs != null) {
                    violate(inc, "started " + id + " while " + theirs + " runs on " + o.name + " under a valid lease");
                }
            }
        }
        for (Map.Entry<TaskKey, Integer> t : taskOffsets.entrySet()) {
            TaskKey k1 = t.getKey();
            if (k1.orderingId().equals(key.orderingId())
                    && k1.compareTo(key) < 0
                    && t.getValue() < inc.endAtAssign
                    && !firstTerminalNanos.containsKey(k1)) {
                violate(inc, "started " + id + " before " + k1 + ", acknowledged before this owner started");
            }
        }
    }

    // ---- bookkeeping ----

    int checkpointViolationCount() {
        return fake.checkpointViolations().size();
    }

    /** Names who wrote a checkpoint past an unfinished task, and when (the store only records that one was). */
    void checkpointWritten(Object owner, Instant checkpoint, int violationsBefore) {
        List<String> now = fake.checkpointViolations();
        for (String v : now.subList(Math.min(violationsBefore, now.size()), now.size())) {
            trace(owner, "VIOLATION " + v);
            violations.add(String.format("t=%d ms %s: %s", (time.nanoTime() - startNanos) / MS, owner, v));
        }
    }

    private final Set<TaskKey> reopenedKeys = new HashSet<>();

    /** An operator retry reset the key from FAILED to pending. */
    void reopened(TaskKey key) {
        reopenedKeys.add(key);
    }

    // ---- the owner row as a read at a non-serial consistency may see it ----

    private int claimsInFlight;

    private Optional<OwnerRow> rowBeforeClaims = Optional.empty();

    /** A claim was sent: until its answer arrives, a lease read may still see the row as it was before it. */
    void claimSent() {
        if (claimsInFlight++ == 0) {
            rowBeforeClaims = fake.ownerRow(PARTITION);
        }
    }

    /**
     * A claim's answer arrived: it is no longer missed. With others still in flight, the row now stands for what a
     * read sees (it may hold one of theirs already, so this misses less than a quorum read could).
     */
    void claimAnswered() {
        if (--claimsInFlight > 0) {
            rowBeforeClaims = fake.ownerRow(PARTITION);
        }
    }

    /**
     * What a lease renewal reads while a claim is in progress (sent, not answered): the row as it was before, as
     * a quorum read that misses a compare-and-set in progress would; empty when no claim is in progress.
     */
    Optional<Optional<OwnerRow>> ownerRowMissingClaimsInProgress() {
        return claimsInFlight > 0 ? Optional.of(rowBeforeClaims) : Optional.empty();
    }

    /** After every store call ends: the first time each key it touched was finished, and cancels stored. */
    void observed(List<TaskKey> keys) {
        for (TaskKey k : keys) {
            fake.row(PARTITION, k).ifPresent(row -> {
                if (row.status().isTerminal()) {
                    firstTerminalNanos.putIfAbsent(k, time.nanoTime());
                }
                if (row.status() == TaskStatus.CANCELLED) {
                    cancelStoredNanos.putIfAbsent(k, time.nanoTime());
                }
            });
        }
    }

    private boolean allFinished() {
        for (TaskKey k : taskOffsets.keySet()) {
            Optional<StoredTask> row = fake.row(PARTITION, k);
            if (row.isEmpty() || !row.get().status().isTerminal()) {
                return false;
            }
        }
        return true;
    }

    private void checkFinished() {
        TreeMap<TaskKey, String> unfinished = new TreeMap<>();
        for (TaskKey k : taskOffsets.keySet()) {
            Optional<StoredTask> row = fake.row(PARTITION, k);
            if (row.isEmpty()) {
                unfinished.put(k, "never stored");
            } else if (!row.get().status().isTerminal()) {
                unfinished.put(k, row.get().status() + " after " + row.get().attempts() + " attempts");
            } else if (row.get().status() == TaskStatus.CANCELLED && !cancelRecords.contains(k)) {
                unfinished.put(k, "CANCELLED without a cancel");
            }
        }
        unfinished.forEach((k, why) -> violations.add("acknowledged task " + k + " did not finish: " + why));
    }

    private void violate(Incarnation inc, String what) {
        violations.add(String.format(
                "t=%d ms %s: %s", (time.nanoTime() - startNanos) / MS, inc == null ? "-" : inc.label, what));
        trace(inc, "VIOLATION " + what);
    }

    /** With {@code -Dsimulation.trace=true}: what happened, as it happened (for replaying a failing seed). */
    void trace(Object who, String what) {
        if (TRACE) {
            System.out.printf("%8d ms %-4s %s%n", (time.nanoTime() - startNanos) / MS, who == null ? "" : who, what);
        }
    }

    private static final boolean TRACE = Boolean.getBoolean("simulation.trace");

    /** True for the one persist the planted bug loses: the third. */
    boolean plantLostWrite() {
        return plantedBug && ++persists == 3;
    }

    SimScheduler time() {
        return time;
    }

    Random random() {
        return random;
    }

    /** Schedules a simulation item, cancelled at the end of the seed. */
    Cancellable after(long delayNanos, Runnable task) {
        Cancellable c = time.after(delayNanos, task);
        items.add(c);
        return c;
    }

    private void atTime(long offsetNanos, Runnable task) {
        after(startNanos + offsetNanos - time.nanoTime(), task);
    }

    private void every(long intervalNanos, Runnable task) {
        after(intervalNanos, () -> {
            task.run();
            every(intervalNanos, task);
        });
    }

    private void crashHost(Incarnation inc) {
        if (inc.actorsPending) {
            return; // never spawned: it sees it crashed when its turn comes
        }
        ActorRef<Crash> host = inc.host.get();
        if (host != null) {
            host.tell(Crash.INSTANCE);
        } else { // not spawned yet: it dies as it is born
            after(0, () -> crashHost(inc));
        }
    }

    /**
     * Stops every actor of the seed, those of incarnations the consumer let go of too (a stop never answered):
     * nothing of this seed may run in the next one, or the next would not replay alike.
     */
    private void tearDown() {
        for (Incarnation inc : allIncarnations) {
            inc.crashed = true;
            if (inc.host.get() != null) {
                inc.host.get().tell(Crash.INSTANCE);
            }
        }
        items.forEach(Cancellable::cancel);
        SimDispatch.INSTANCE.runAll(1_000_000);
        // Every heartbeat actor, spawned by now, those of crashed instances too (a crash may have come before
        // its actor was spawned): one left running would tick in the next seed.
        for (AtomicReference<ActorRef<Crash>> host : allHeartbeatHosts) {
            if (host.get() != null) {
                host.get().tell(Crash.INSTANCE);
            }
        }
        SimDispatch.INSTANCE.runAll(1_000_000);
        items.forEach(Cancellable::cancel);
    }

    private final class Instance {
        final String name;
        boolean crashed;
        boolean paused;
        Incarnation inc;
        Heartbeats heartbeats;
        AtomicReference<ActorRef<Crash>> heartbeatHost;
        /** The incarnation it last handed off, whose actors may still drain. */
        Incarnation draining;

        Instance(String name) {
            this.name = name;
        }
    }

    private final class Incarnation {
        final Instance instance;
        final String name;
        final String label;
        final PartitionHandle handle;
        final long assignedNanos;
        final int endAtAssign;
        final Map<String, String> running = new HashMap<>();
        long position;
        AtomicReference<ActorRef<Crash>> host = new AtomicReference<>();
        AtomicReference<ActorRef<PartitionScheduler.Command>> child = new AtomicReference<>();
        boolean stopAsked;
        boolean pausedEver;
        boolean lost;
        boolean fencedBeforeStop;
        /** From its Stopped answer; -1 while none came (a stop that timed out excuses nothing by itself). */
        int abandoned = -1;

        boolean stopped;
        boolean crashed;
        Runnable onStopped;
        boolean actorsPending;

        @Override
        public String toString() {
            return label;
        }

        Incarnation(Instance instance, int n) {
            this.instance = instance;
            this.name = prefix + "-" + instance.name + "-" + n;
            this.label = instance.name + n;
            this.handle = new PartitionHandle(PARTITION, committed, instance.name, PartitionSimulation.this::seedNanos);
            this.assignedNanos = time.nanoTime();
            this.endAtAssign = topic.size();
            this.position = committed;
        }
    }
}
