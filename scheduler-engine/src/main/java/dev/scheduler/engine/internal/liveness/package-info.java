/**
 * Liveness: each instance's heartbeat in Cassandra, and its watch of the others', which lets a partition's next
 * owner start at once after its previous owner died, and lets an instance cut off from Cassandra notice it and
 * leave the consumer group. docs/design.md, "Ownership and heartbeats".
 */
package dev.scheduler.engine.internal.liveness;
