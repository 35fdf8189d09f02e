package dev.scheduler.testkit.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must happen when the JVM exits normally: forks killed, embedded brokers shut down, temporary directories
 * removed. One shutdown hook runs the registered actions one after the other, newest first, so that a directory
 * registered before the server using it is removed after that server stopped.
 *
 * <p>A JVM that is killed runs no hook; forks then end through their {@link ForkWatchdog}.
 */
public final class ExitCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(ExitCleanup.class);
    private static final Map<Object, Action> ACTIONS = new LinkedHashMap<>();
    private static boolean hookInstalled;
    private static boolean exiting;

    private ExitCleanup() {}

    /** A registered action; {@link #cancel()} it when its owner was closed normally. */
    public interface Registration {
        void cancel();
    }

    private record Action(String description, Runnable runnable) {}

    /** Registers {@code action}, described for the log, to run at JVM exit unless cancelled before. */
    public static synchronized Registration register(String description, Runnable action) {
        if (exiting) {
            throw new IllegalStateException("the JVM is shutting down; cannot start " + description);
        }
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "scheduler-testkit-exit-cleanup"));
            hookInstalled = true;
        }
        Object key = new Object();
        ACTIONS.put(key, new Action(description, action));
        return () -> {
            synchronized (ExitCleanup.class) {
                ACTIONS.remove(key);
            }
        };
    }

    private static void runAll() {
        List<Action> actions;
        synchronized (ExitCleanup.class) {
            exiting = true;
            actions = new ArrayList<>(ACTIONS.values());
            ACTIONS.clear();
        }
        for (int i = actions.size() - 1; i >= 0; i--) {
            Action action = actions.get(i);
            try {
                action.runnable().run();
            } catch (RuntimeException e) {
                LOG.warn("Cleanup at JVM exit failed: {}", action.description(), e);
            }
        }
    }
}
