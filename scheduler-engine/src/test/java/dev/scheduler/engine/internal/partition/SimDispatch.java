package dev.scheduler.engine.internal.partition;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.Mailbox;

/**
 * The partition simulation's dispatch: the executor of Pekko's default dispatcher (with throughput 1, one message
 * per run of a mailbox) only queues what it is given; the simulation runs the queued mailboxes one at a time, on
 * its own thread, picking each with the seed's {@link Random}. So one seed is one interleaving of the actors'
 * messages, and a paused instance's actors are simply never picked until it resumes.
 */
public final class SimDispatch extends AbstractExecutorService {

    static final SimDispatch INSTANCE = new SimDispatch();

    private final List<Runnable> queued = new ArrayList<>();

    private SimDispatch() {}

    /**
     * Runs one queued task that {@code eligible} accepts, picked at random.
     *
     * @return false when none is eligible
     */
    boolean runOne(Random random, Predicate<String> eligiblePath) {
        Runnable next = null;
        synchronized (this) {
            List<Integer> eligible = new ArrayList<>();
            for (int i = 0; i < queued.size(); i++) {
                if (eligiblePath.test(pathOf(queued.get(i)))) {
                    eligible.add(i);
                }
            }
            if (!eligible.isEmpty()) {
                next = queued.remove((int) eligible.get(random.nextInt(eligible.size())));
            }
        }
        if (next == null) {
            return false;
        }
        next.run();
        return true;
    }

    /** Runs queued tasks in order until none is left or {@code max} ran (for set-up and shut-down). */
    int runAll(int max) {
        int ran = 0;
        while (ran < max) {
            Runnable next;
            synchronized (this) {
                if (queued.isEmpty()) {
                    return ran;
                }
                next = queued.remove(0);
            }
            next.run();
            ran++;
        }
        return ran;
    }

    synchronized int size() {
        return queued.size();
    }

    /** The path of the actor whose mailbox a task runs, or "" for any other task. */
    static String pathOf(Runnable task) {
        if (task instanceof Mailbox mailbox && mailbox.actor() != null) {
            return mailbox.actor().self().path().toString();
        }
        return "";
    }

    @Override
    public synchronized void execute(Runnable command) {
        Thread owner = simulationThread;
        if (owner != null && Thread.currentThread() != owner) {
            foreign++; // from one of Pekko's threads, at a time no seed decides: a run would not replay exactly
        }
        queued.add(command);
    }

    private volatile Thread simulationThread;
    private int foreign;

    /** From now on every task must come from this thread (the simulation's); others are counted. */
    synchronized void ownedBy(Thread thread) {
        simulationThread = thread;
    }

    /** Tasks queued from another thread than the simulation's since {@link #ownedBy}: must stay 0. */
    synchronized int foreignTasks() {
        return foreign;
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    /** Named in the dispatcher's {@code executor} setting. */
    public static final class Configurator extends ExecutorServiceConfigurator {
        public Configurator(Config config, DispatcherPrerequisites prerequisites) {
            super(config, prerequisites);
        }

        @Override
        public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
            return new ExecutorServiceFactory() {
                @Override
                public ExecutorService createExecutorService() {
                    return INSTANCE;
                }
            };
        }
    }
}
