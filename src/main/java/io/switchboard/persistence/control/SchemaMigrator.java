package io.switchboard.persistence.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.hibernate.SessionFactory;

import javax.sql.DataSource;
import java.util.logging.Logger;

/**
 * Brings the database schema up to date when the application starts (the versioned migrations
 * in sql/), then checks that every JPA mapping matches the migrated schema. Everything that
 * touches the database starts after it ({@code @DependsOn("SchemaMigrator")}).
 */
@Singleton
@Startup
// Flyway commits itself; a container transaction around it would be XA and refuse that.
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrator {

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    @PersistenceUnit(unitName = "switchboard")
    EntityManagerFactory entityManagerFactory;

    @PostConstruct
    void migrate() {
        MigrateResult result = Flyway.configure(Thread.currentThread().getContextClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true) // Liberty needs the flyway.location marker; never migrate nothing silently
                .baselineOnMigrate(true)
                .load()
                .migrate();
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        LOG.info("Database schema at version " + version + " (" + result.migrationsExecuted + " migrations applied now)");
        entityManagerFactory.unwrap(SessionFactory.class).getSchemaManager().validateMappedObjects();
    }
}
