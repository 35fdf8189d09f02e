/**
 * Internal helpers of the client library: UTF-8 ordering and lengths, the wire format's timestamps,
 * message formatting.
 *
 * <p><b>Not public API.</b> These types are public only so the library's own packages can share them.
 * They may change or disappear in any release, including a patch release; do not use them from
 * application code. The supported surface is {@link dev.scheduler.client} and
 * {@link dev.scheduler.client.wire}.
 */
package dev.scheduler.client.internal;
