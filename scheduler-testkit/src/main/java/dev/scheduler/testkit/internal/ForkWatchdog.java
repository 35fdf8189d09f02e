package dev.scheduler.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every forked JVM: ties the fork's life to the JVM that started it, then runs the real main class.
 *
 * <p>Usage: {@code java ... ForkWatchdog <parent pid> <main class> [args...]}. A daemon thread halts the fork as soon
 * as either the parent process ends or the fork's standard input reaches end of file. The parent keeps the write end
 * of that pipe open for as long as it lives, and the kernel closes it when the parent dies, even by {@code SIGKILL},
 * so the fork notices at once; the parent pid is a second, slower signal ({@link ProcessHandle#onExit()} polls for a
 * process that is not our child).
 *
 * <p>This class is copied alone onto the classpath of a Cassandra fork, so it must use JDK classes only and must not
 * have nested or anonymous classes (lambdas are fine: they are not separate class files).
 */
public final class ForkWatchdog {

    private ForkWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ForkWatchdog <parent pid> <main class> [args...]");
            Runtime.getRuntime().halt(2);
        }
        long parentPid = Long.parseLong(args[0]);
        watch("fork-watchdog-parent", () -> {
            ProcessHandle.of(parentPid).ifPresent(parent -> parent.onExit().join());
            orphaned("parent process " + parentPid + " ended");
        });
        watch("fork-watchdog-stdin", () -> {
            InputStream in = System.in;
            byte[] buffer = new byte[64];
            try {
                while (in.read(buffer) >= 0) {
                    // The parent never writes; anything it might write is ignored.
                }
            } catch (IOException e) {
                // Treated like end of file: the parent is gone or the pipe is broken.
            }
            orphaned("standard input closed by the parent");
        });

        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watch(String name, Runnable watcher) {
        Thread thread = new Thread(watcher, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void orphaned(String reason) {
        System.err.println("ForkWatchdog: " + reason + "; halting this fork");
        System.err.flush();
        // halt, not exit: shutdown hooks of the server could block, and nobody is left to wait for them.
        Runtime.getRuntime().halt(1);
    }
}
