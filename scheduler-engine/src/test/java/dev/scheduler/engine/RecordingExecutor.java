package dev.scheduler.engine;

import dev.scheduler.client.TaskKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** A test executor that records every attempt, detects overlapping runs per ordering id, and fails on demand. */
final class RecordingExecutor implements TaskExecutor {

    record Attempt(TaskKey key, int attempt, Instant startedAt, int partition) {
        Duration lateness() {
            return Duration.between(key.scheduledTime(), startedAt);
        }
    }

    private final Clock clock;
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    final Map<String, Integer> failFirst = new ConcurrentHashMap<>();
    final Set<String> alwaysFail = ConcurrentHashMap.newKeySet();
    final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    volatile Duration workTime = Duration.ZERO;
    /** Attempts of these uniqueness keys wait for their latch before they end. */
    final Map<String, java.util.concurrent.CountDownLatch> holds = new ConcurrentHashMap<>();

    RecordingExecutor(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(TaskContext context) throws Exception {
        TaskKey key = context.key();
        attempts.add(new Attempt(key, context.attempt(), clock.instant(), context.partition()));
        AtomicInteger running = active.computeIfAbsent(key.orderingId(), id -> new AtomicInteger());
        if (running.incrementAndGet() > 1) {
            overlaps.add(key.toString());
        }
        try {
            if (!workTime.isZero()) {
                Thread.sleep(workTime.toMillis());
            }
            java.util.concurrent.CountDownLatch hold = holds.get(key.uniquenessKey());
            if (hold != null) {
                hold.await();
            }
            if (alwaysFail.contains(key.uniquenessKey())) {
                throw new IllegalStateException("failing " + key.uniquenessKey() + " on purpose");
            }
            Integer failures = failFirst.get(key.uniquenessKey());
            if (failures != null && context.attempt() <= failures) {
                throw new IllegalStateException(
                        "attempt " + context.attempt() + " of " + key.uniquenessKey() + " fails on purpose");
            }
        } finally {
            running.decrementAndGet();
        }
    }

    List<Attempt> of(TaskKey key) {
        return attempts.stream().filter(a -> a.key().equals(key)).toList();
    }

    int runs(TaskKey key) {
        return of(key).size();
    }

    /** Keys run more than once, counting only first attempts (a retry is not a duplicate). */
    Set<TaskKey> duplicates() {
        return attempts.stream()
                .filter(a -> a.attempt() == 1)
                .collect(Collectors.groupingBy(Attempt::key, Collectors.counting()))
                .entrySet()
                .stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    Set<TaskKey> ranKeys() {
        return attempts.stream().map(Attempt::key).collect(Collectors.toSet());
    }

    /** Lateness percentiles of first attempts, as text. */
    String latenessSummary() {
        List<Long> ms = new ArrayList<>();
        for (Attempt a : attempts) {
            if (a.attempt() == 1) {
                ms.add(a.lateness().toMillis());
            }
        }
        if (ms.isEmpty()) {
            return "no attempts";
        }
        Collections.sort(ms);
        return String.format(
                "n=%d min=%d p50=%d p99=%d max=%d ms",
                ms.size(),
                ms.get(0),
                ms.get(ms.size() / 2),
                ms.get(Math.min(ms.size() - 1, (int) Math.ceil(ms.size() * 0.99) - 1)),
                ms.get(ms.size() - 1));
    }
}
