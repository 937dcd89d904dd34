package io.switchboard.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database goes away for Switchboard (its role may no longer log in and its sessions are
 * ended) and comes back: readiness follows, and clients get 503 rather than 500 meanwhile.
 */
class DatabaseOutageIT {

    private static final String APP_ROLE = System.getProperty("switchboard.it.db-user", "switchboard_test");

    @AfterEach
    void databaseIsBack() throws SQLException {
        operator("ALTER ROLE " + APP_ROLE + " LOGIN");
    }

    @Test
    void readinessIsDownWhileTheDatabaseIsUnreachableAndUpWhenItReturns() throws SQLException {
        assertEquals(200, Switchboard.send("GET", "/health/ready", null, null).status());

        operator("ALTER ROLE " + APP_ROLE + " NOLOGIN");
        operator("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + APP_ROLE + "'");

        eventually(Duration.ofSeconds(20), () -> Switchboard.send("GET", "/health/ready", null, null).status() == 503);
        Switchboard.Reply ready = Switchboard.send("GET", "/health/ready", null, null);
        assertTrue(ready.body().contains("DOWN"), ready::toString);
        assertEquals(200, Switchboard.send("GET", "/health/live", null, null).status(), "liveness must not follow");

        Switchboard.Reply write = Switchboard.admin("POST", "/admin/tenants", "{\"name\":\"during-outage\"}");
        assertEquals(503, write.status(), write::toString);
        assertEquals("server_error", write.error().getString("type"));

        operator("ALTER ROLE " + APP_ROLE + " LOGIN");

        eventually(Duration.ofSeconds(20), () -> Switchboard.send("GET", "/health/ready", null, null).status() == 200);
        assertEquals(201, Switchboard.admin("POST", "/admin/tenants",
                "{\"name\":\"" + Switchboard.unique("after-outage") + "\"}").status());
    }

    /** A role that may take the application's login away and end its sessions, nothing more (see ./switchboard test). */
    private static void operator(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                "switchboard_test_operator", "switchboard_test_operator");
             Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void eventually(Duration within, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            TenantAuthenticationIT.sleep(250);
        }
        assertTrue(condition.getAsBoolean(), "not true within " + within);
    }
}
