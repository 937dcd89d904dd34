package io.switchboard.persistence.control;

/**
 * A component that notes writes in memory and writes them to PostgreSQL in batches, so that the request
 * path never waits for the database. {@link FlushOnShutdown} writes what is left when the application stops.
 */
public interface WriteBehind {

    /** Writes what is pending; on failure keeps it for the next try. */
    void flush();
}
