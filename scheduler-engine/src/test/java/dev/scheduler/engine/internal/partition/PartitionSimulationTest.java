package dev.scheduler.engine.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link PartitionSimulation} seeds: {@code -Dsimulation.seeds=N} of them from {@code -Dsimulation.from=S}
 * (default 1000 from 1, the share of {@code mvn verify}; the engine's pom sets them), or one with {@code -Dsimulation.seed=S}, which replays a
 * failing seed exactly. The {@code simulation} profile runs a long search.
 */
class PartitionSimulationTest {

    private static ActorSystem<PartitionSimulation.Spawn> system;
    private static SimScheduler time;

    static final Config CONFIG = ConfigFactory.parseString("""
            pekko {
              loglevel = "OFF"
              stdout-loglevel = "OFF"
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              loggers-dispatcher = "pekko.actor.internal-dispatcher"
              scheduler.implementation = "dev.scheduler.engine.internal.partition.SimScheduler"
              actor.default-dispatcher {
                type = Dispatcher
                executor = "dev.scheduler.engine.internal.partition.SimDispatch$Configurator"
                throughput = 1
              }
              coordinated-shutdown.run-by-jvm-shutdown-hook = off
            }
            """).withFallback(ConfigFactory.defaultReference());

    @BeforeAll
    static void start() {
        system = ActorSystem.create(PartitionSimulation.guardian(), "sim", CONFIG);
        time = (SimScheduler) Adapter.toClassic(system).scheduler();
        // The guardian starts on a thread of Pekko's: run the dispatch until it has spawned a first child, so that
        // no seed begins while the start is still under way.
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        system.tell(new PartitionSimulation.Spawn(
                org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "ready", r -> ready.set(true)));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ready.get() && System.nanoTime() < deadline) {
            if (SimDispatch.INSTANCE.runAll(1_000) == 0) {
                Thread.onSpinWait();
            }
        }
        assertThat(ready).as("the simulation's actor system started").isTrue();
        SimDispatch.INSTANCE.ownedBy(Thread.currentThread());
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!system.getWhenTerminated().toCompletableFuture().isDone() && System.nanoTime() < deadline) {
            if (SimDispatch.INSTANCE.runAll(1_000) == 0 && !time.runNext(time.nanoTime() + 1_000_000_000L)) {
                Thread.onSpinWait();
            }
        }
    }

    static PartitionSimulation.Outcome runSeed(long seed) {
        return new PartitionSimulation(seed, time, system).run();
    }

    /**
     * A seed replays exactly whatever ran before it in the JVM: the simulated clock goes on from seed to seed, and
     * once lease renewals fell on multiples of the engine's clock, seed 1442690 failed after seed 1442689 and passed
     * alone (the engine's parts now measure time from the seed's start).
     */
    @Test
    void aSeedRunsTheSameAfterOtherSeeds() {
        PartitionSimulation.Outcome first = runSeed(1442690);
        runSeed(1442689);
        time.advanceTo(time.nanoTime() + 123_456_789L); // and at another phase of the simulated clock
        PartitionSimulation.Outcome again = runSeed(1442690);
        assertThat(again).isEqualTo(first);
        assertThat(first.violations()).isEmpty();
    }

    @Test
    void seeds() {
        String one = System.getProperty("simulation.seed");
        long from = one != null ? Long.parseLong(one) : Long.getLong("simulation.from", 1);
        long count = one != null ? 1 : Long.getLong("simulation.seeds", 1000);
        List<PartitionSimulation.Outcome> failed = new ArrayList<>();
        long tasks = 0;
        long attempts = 0;
        long excused = 0;
        long declined = 0;
        long disorder = 0;
        long faults = 0;
        long started = System.nanoTime();
        for (long seed = from; seed < from + count; seed++) {
            PartitionSimulation.Outcome o = runSeed(seed);
            tasks += o.tasks();
            attempts += o.attempts();
            excused += o.excusedDuplicates();
            declined += o.declined();
            disorder += o.handoffs() + o.crashes() + o.pauses();
            faults += o.faults();
            if (!o.violations().isEmpty()) {
                failed.add(o);
                System.out.println("simulation seed " + seed + " FAILED; replay: -Dsimulation.seed=" + seed);
                o.violations().stream().limit(15).forEach(v -> System.out.println("  " + v));
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
                "simulation: %d seeds from %d in %d ms (%.1f ms/seed): %d tasks, %d attempts (%d started again "
                        + "after a crash, fence, pause or abandon; %d declined past their lease), %d "
                        + "handoffs/crashes/pauses, %d store faults; %d seeds failed%n",
                count,
                from,
                ms,
                (double) ms / count,
                tasks,
                attempts,
                excused,
                declined,
                disorder,
                faults,
                failed.size());
        assertThat(SimDispatch.INSTANCE.foreignTasks())
                .as("mailboxes scheduled from Pekko's own threads (a seed would not replay exactly)")
                .isZero();
        assertThat(failed.stream().map(PartitionSimulation.Outcome::seed).toList())
                .as("failing seeds (replay one with -Dsimulation.seed=N)")
                .isEmpty();
        if (count >= 1000) {
            assertThat(declined)
                    .as("attempts declined past their lease (a pause while they waited for a thread): the path is run")
                    .isPositive();
        }
    }

    /**
     * The invariants are checked for real: a planted lost write (one write of tasks answered as stored and never
     * written) is found in nearly every seed. Not in all: the lost tasks may all be cancelled before they are due,
     * or read again from Kafka and stored after all (a handoff commits the offset durable at the revoke, and the
     * next owner reads again what came after it: 5 of these 40 seeds since the revoke became asynchronous, 7 since
     * attempts may wait for a pool thread, which moves every seed's timing).
     */
    @Test
    void aLostWriteIsFound() {
        List<Long> missed = new ArrayList<>();
        for (long seed = 1; seed <= 40; seed++) {
            PartitionSimulation.Outcome o = new PartitionSimulation(seed, time, system, true).run();
            if (o.violations().stream().noneMatch(v -> v.contains("never stored"))) {
                missed.add(seed);
                System.out.println(
                        "simulation: seed " + seed + " missed the planted lost write; it found " + o.violations());
            }
        }
        System.out.println("simulation: a planted lost write was missed in seeds " + missed + " of 1..40");
        assertThat(missed.size())
                .as("seeds that missed the planted lost write: %s", missed)
                .isLessThanOrEqualTo(8);
    }

    /**
     * Seeds the long searches found failing, each fixed since (with the bug named in the fix's commit): they run in
     * every build, so that a change that brings a bug back fails at once, whatever the seeds of the range find.
     */
    @Test
    void seedsThatFoundBugs() {
        List<String> failures = new ArrayList<>();
        for (long seed : new long[] {1517, 1905, 7868, 8216, 16994, 25313, 55345, 80158, 82547, 256792, 518551}) {
            PartitionSimulation.Outcome o = runSeed(seed);
            o.violations().stream().limit(3).forEach(v -> failures.add("seed " + seed + ": " + v));
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aSeedReplaysExactly() {
        PartitionSimulation.Outcome first = runSeed(7);
        PartitionSimulation.Outcome again = runSeed(7);
        assertThat(again).isEqualTo(first);
        assertThat(first.attempts()).isGreaterThan(0);
    }
}
