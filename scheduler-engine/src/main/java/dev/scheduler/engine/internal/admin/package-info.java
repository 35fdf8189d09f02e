/**
 * The operator's API behind {@link dev.scheduler.engine.admin.AdminService}: bounded range reads on admin threads,
 * single-key reads and commands, opaque page tokens, and the periodic scan for stale tasks.
 *
 * <p><b>Not public API.</b> These types are public only so that the engine's packages can share them. They may
 * change or disappear in any release, including a patch release; do not use them from application code. The
 * supported surface is {@link dev.scheduler.engine}, {@link dev.scheduler.engine.admin} and
 * {@link dev.scheduler.engine.metrics}.
 */
package dev.scheduler.engine.internal.admin;
