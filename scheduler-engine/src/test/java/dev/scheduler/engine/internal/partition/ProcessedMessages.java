package dev.scheduler.engine.internal.partition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Records, in order, every message an actor has <em>finished</em> handling (timer messages and piped results
 * included), by the simple name of its class (and, for an enum with several constants, the constant:
 * {@code Signal.TICK}). A test awaits a message to know that what the actor does in
 * response (start a timer, call the store) has happened, so that advancing manual time never races the actor.
 */
final class ProcessedMessages {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<String> processed = new LinkedBlockingQueue<>();

    <T> Behavior<T> recording(Behavior<T> behavior) {
        return Behaviors.intercept(() -> new Recorder<T>(), behavior);
    }

    /**
     * Waits until a message with this label has been handled; returns the labels handled since the last call,
     * up to and including it.
     */
    List<String> awaitProcessed(String label) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            String next;
            try {
                next = processed.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (next == null) {
                throw new AssertionError("no " + label + " handled within " + DEADLINE + "; handled: " + seen);
            }
            seen.add(next);
            if (next.equals(label)) {
                return seen;
            }
        }
    }

    static String label(Object message) {
        if (message instanceof Enum<?> e) {
            String type = e.getDeclaringClass().getSimpleName();
            return e.name().equals("INSTANCE") ? type : type + "." + e.name();
        }
        return message.getClass().getSimpleName();
    }

    private final class Recorder<T> extends BehaviorInterceptor<T, T> {

        @SuppressWarnings("unchecked")
        Recorder() {
            super((Class<T>) (Class<?>) Object.class);
        }

        @Override
        public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
            Behavior<T> next = target.apply(ctx, msg);
            processed.add(label(msg));
            return next;
        }
    }
}
