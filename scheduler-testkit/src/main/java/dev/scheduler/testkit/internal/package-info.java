/** Implementation of the testkit; no compatibility promise: use {@code dev.scheduler.testkit} instead. */
package dev.scheduler.testkit.internal;
