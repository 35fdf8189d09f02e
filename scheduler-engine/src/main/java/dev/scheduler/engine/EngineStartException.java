package dev.scheduler.engine;

import dev.scheduler.client.SchedulerException;

/** The engine could not start: its message says which server or setting is at fault. */
public class EngineStartException extends SchedulerException {

    private static final long serialVersionUID = 1L;

    public EngineStartException(String message) {
        super(message);
    }

    public EngineStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
