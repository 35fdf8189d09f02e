/**
 * Real Kafka and Cassandra for the scheduler's tests and demos, without Docker: {@link
 * dev.scheduler.testkit.EmbeddedKafka} (in-process KRaft broker), {@link dev.scheduler.testkit.ForkedKafka} and
 * {@link dev.scheduler.testkit.ForkedCassandra} (servers in their own JVMs, which a test can kill and restart), and
 * {@link dev.scheduler.testkit.SchedulerInfrastructure} with its JUnit 5 extension for tests that just need both, and
 * {@link dev.scheduler.testkit.FaultProxy} to put network faults between a client and either server.
 *
 * <p>Everything binds to 127.0.0.1 only. Forked servers never outlive the JVM that started them, even if it is
 * killed.
 *
 * <p>This package is the testkit's API. {@code dev.scheduler.testkit.internal} is not: it may change in any release.
 */
package dev.scheduler.testkit;
