package dev.scheduler.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.NoLogging$;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/** The engine's timer scheduler keeps Pekko's contract: fires once or repeatedly, cancels, refuses after close. */
class PreciseSchedulerTest {

    private static final ExecutionContext DIRECT = ExecutionContext.fromExecutor(Runnable::run);

    private final PreciseScheduler scheduler =
            new PreciseScheduler(ConfigFactory.empty(), NoLogging$.MODULE$, Thread::new);

    @AfterEach
    void close() {
        scheduler.close();
    }

    private static FiniteDuration ms(long ms) {
        return FiniteDuration.create(ms, TimeUnit.MILLISECONDS);
    }

    @Test
    void a_timer_fires_once_and_then_cannot_be_cancelled() {
        AtomicInteger fired = new AtomicInteger();
        Cancellable c = scheduler.scheduleOnce(ms(5), fired::incrementAndGet, DIRECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> fired.get() == 1);
        assertThat(c.cancel()).as("already fired").isFalse();
        assertThat(c.isCancelled()).isFalse();
    }

    @Test
    void a_cancelled_timer_never_fires() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        Cancellable c = scheduler.scheduleOnce(ms(200), fired::incrementAndGet, DIRECT);
        assertThat(c.cancel()).isTrue();
        assertThat(c.isCancelled()).isTrue();
        assertThat(c.cancel()).as("cancelled once").isFalse();
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(400), later::countDown, DIRECT); // fires after the cancelled one would have
        assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fired.get()).isZero();
    }

    @Test
    void a_repeated_timer_fires_until_cancelled() {
        AtomicInteger fired = new AtomicInteger();
        Cancellable c = scheduler.schedule(ms(1), ms(5), fired::incrementAndGet, DIRECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> fired.get() >= 3);
        assertThat(c.cancel()).isTrue();
        int atCancel = fired.get();
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(50), later::countDown, DIRECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> later.getCount() == 0);
        assertThat(fired.get()).as("at most one run in flight at the cancel").isLessThanOrEqualTo(atCancel + 1);
    }

    /** As Pekko's default: at the close only tasks marked to run on close run; the others are dropped. */
    @Test
    void at_close_only_tasks_that_run_on_close_run_and_new_timers_are_refused() {
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger ranOnClose = new AtomicInteger();
        scheduler.scheduleOnce(ms(60_000), dropped::incrementAndGet, DIRECT);
        scheduler.scheduleOnce(
                ms(60_000), (org.apache.pekko.actor.Scheduler.TaskRunOnClose) ranOnClose::incrementAndGet, DIRECT);
        scheduler.close();
        assertThat(ranOnClose.get()).isEqualTo(1);
        assertThat(dropped.get()).isZero();
        assertThatThrownBy(() -> scheduler.scheduleOnce(ms(1), () -> {}, DIRECT))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(SchedulerException.class);
    }

    /** A repeated timer never overlaps itself, and an exception stops it (Pekko's contract). */
    @Test
    void a_repeated_timer_whose_task_throws_stops() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger reported = new AtomicInteger();
        ExecutionContext counting = new ExecutionContext() {
            @Override
            public void execute(Runnable runnable) {
                try {
                    runnable.run();
                } catch (RuntimeException e) {
                    reported.incrementAndGet();
                }
            }

            @Override
            public void reportFailure(Throwable cause) {
                reported.incrementAndGet();
            }
        };
        scheduler.schedule(
                ms(1),
                ms(2),
                () -> {
                    if (runs.incrementAndGet() == 3) {
                        throw new IllegalStateException("the receiver is gone");
                    }
                },
                counting);
        await().atMost(Duration.ofSeconds(10)).until(() -> reported.get() == 1);
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(50), later::countDown, DIRECT);
        await().atMost(Duration.ofSeconds(10)).until(() -> later.getCount() == 0);
        assertThat(runs.get()).as("no run after the one that threw").isEqualTo(3);
    }

    @Test
    void an_actor_system_configured_with_it_runs_actor_timers() throws Exception {
        CountDownLatch tick = new CountDownLatch(3);
        ActorSystem<String> system = ActorSystem.create(
                Behaviors.<String>withTimers(timers -> {
                    timers.startTimerWithFixedDelay("tick", "tick", Duration.ofMillis(5));
                    return Behaviors.receiveMessage(m -> {
                        tick.countDown();
                        return Behaviors.same();
                    });
                }),
                "PreciseSchedulerTest",
                ConfigFactory.parseString(
                                "pekko.scheduler.implementation = \"" + PreciseScheduler.class.getName() + "\"")
                        .withFallback(ConfigFactory.load()));
        try {
            assertThat(system.classicSystem().scheduler()).isInstanceOf(PreciseScheduler.class);
            assertThat(tick.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
