package dev.scheduler.testkit;

/**
 * A Kafka broker or Cassandra node of the testkit could not be started or used. When a forked server did not start,
 * the message carries the last lines of its log and output, so that the cause shows in the test report.
 */
public class InfrastructureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InfrastructureException(String message) {
        super(message);
    }

    public InfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
