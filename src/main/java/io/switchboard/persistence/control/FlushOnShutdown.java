package io.switchboard.persistence.control;

import jakarta.annotation.PreDestroy;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Writes every {@link WriteBehind} buffer one last time when the application stops. Liberty stops the
 * application's EJBs before it destroys its CDI beans, so a buffer's own {@code @PreDestroy} can no longer
 * reach the stateless stores it writes through (EJBStoppedException: the key uses of the last flush
 * interval were lost at every stop). Singletons are destroyed first, while the stores still answer, and
 * in reverse order of {@code @DependsOn}: a singleton that records something while it stops (the model
 * manager) depends on this one, so its records are written here after it.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED) // each store call commits on its own
public class FlushOnShutdown {

    @Inject
    Instance<WriteBehind> buffers;

    @PreDestroy
    void flushAll() {
        buffers.forEach(WriteBehind::flush);
    }
}
