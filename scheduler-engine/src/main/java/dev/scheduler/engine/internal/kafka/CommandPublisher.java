package dev.scheduler.engine.internal.kafka;

import dev.scheduler.client.ClientClosedException;
import dev.scheduler.client.PublishException;
import dev.scheduler.client.SchedulerClient;
import dev.scheduler.client.TaskKey;
import dev.scheduler.client.TaskLimits;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Publishes the operator's cancels and retries to the topic, through a {@link SchedulerClient} made on first use.
 *
 * <p>Lock-free: the client is held in an atomic reference, so that getting it never waits for a monitor (the
 * engine's {@code close()} holds its own for as long as the hand-off takes). Two first calls racing may each build
 * a client; the loser closes its own. {@link #close()} closes the client exactly once, and a call after it (or
 * racing with it) fails with {@link ClientClosedException}.
 *
 * <p>Fails fast: the producer waits at most {@link #MAX_BLOCK} for metadata (a Kafka that does not answer) and
 * gives a record at most {@link #DELIVERY_TIMEOUT} to be acknowledged, instead of the client's 10 s and 2 min. An
 * operator's command is then refused within seconds with a {@link PublishException} saying that Kafka is
 * unreachable and the command was not published, rather than holding an admin thread.
 */
public final class CommandPublisher implements AutoCloseable {

    /** How long a send may wait for the topic's metadata ({@code max.block.ms}). */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(3);
    /** How long a record may wait for its acknowledgement ({@code delivery.timeout.ms}). */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);

    private static final Object CLOSED = new Object();

    private final Supplier<SchedulerClient> factory;
    private final String topic;
    /** null (not made yet), the client, or {@link #CLOSED}. */
    private final AtomicReference<Object> client = new AtomicReference<>();

    CommandPublisher(Supplier<SchedulerClient> factory, String topic) {
        this.factory = factory;
        this.topic = topic;
    }

    /**
     * A publisher whose client uses the consumer's connection settings ({@code security.*}, {@code sasl.*},
     * {@code ssl.*}) and the fail-fast timeouts above.
     */
    public static CommandPublisher create(
            String bootstrapServers, String topic, TaskLimits limits, Map<String, Object> consumerProperties) {
        return new CommandPublisher(
                () -> SchedulerClient.builder()
                        .bootstrapServers(bootstrapServers)
                        .topic(topic)
                        .limits(limits)
                        .producerProperties(producerProperties(consumerProperties))
                        .build(),
                topic);
    }

    static Map<String, Object> producerProperties(Map<String, Object> consumerProperties) {
        Map<String, Object> p = new HashMap<>(KafkaProperties.producerConnection(consumerProperties));
        p.put("max.block.ms", (int) MAX_BLOCK.toMillis());
        p.put("request.timeout.ms", (int) MAX_BLOCK.toMillis());
        p.put("delivery.timeout.ms", (int) DELIVERY_TIMEOUT.toMillis());
        return p;
    }

    /** Publishes a cancel; may block the caller up to {@link #MAX_BLOCK} while Kafka's metadata is missing. */
    public CompletableFuture<Void> cancel(TaskKey key) {
        return publish(key, "cancel", SchedulerClient::cancelTask);
    }

    /** Publishes a retry; may block the caller up to {@link #MAX_BLOCK} while Kafka's metadata is missing. */
    public CompletableFuture<Void> retry(TaskKey key) {
        return publish(key, "retry", SchedulerClient::retryTask);
    }

    private CompletableFuture<Void> publish(
            TaskKey key, String what, BiFunction<SchedulerClient, TaskKey, CompletableFuture<Void>> send) {
        SchedulerClient c;
        try {
            c = client();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send.apply(c, key).exceptionallyCompose(e -> CompletableFuture.failedFuture(explained(e, what, key)));
    }

    private Throwable explained(Throwable e, String what, TaskKey key) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof PublishException && cause.getCause() instanceof TimeoutException) {
            return new PublishException(
                    "Kafka is unreachable: the " + what + " of " + key + " was not published to topic '" + topic
                            + "' (no answer within " + MAX_BLOCK.toSeconds() + " s for metadata or "
                            + DELIVERY_TIMEOUT.toSeconds() + " s for the acknowledgement: "
                            + cause.getCause().getMessage() + "); nothing changed, send it again once Kafka is back",
                    cause.getCause());
        }
        return cause;
    }

    private SchedulerClient client() {
        while (true) {
            Object current = client.get();
            if (current == CLOSED) {
                throw new ClientClosedException("the scheduler engine is closed: commands are no longer published");
            }
            if (current != null) {
                return (SchedulerClient) current;
            }
            SchedulerClient made = factory.get();
            if (client.compareAndSet(null, made)) {
                return made;
            }
            made.close(Duration.ZERO);
        }
    }

    /** Closes the client, if one was made, waiting at most {@link #DELIVERY_TIMEOUT} for records in flight. */
    @Override
    public void close() {
        Object previous = client.getAndSet(CLOSED);
        if (previous instanceof SchedulerClient c) {
            c.close(DELIVERY_TIMEOUT);
        }
    }
}
