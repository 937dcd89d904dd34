package io.switchboard.routing.entity;

import java.time.Instant;

/**
 * One change to a routing rule as the database trigger recorded it: when, the database user, the admin
 * the API named (null for plain SQL), INSERT, UPDATE or DELETE, and the row before and after as JSON text.
 */
public record RuleAudit(long id, Instant at, String dbUser, String admin, String action, long ruleId,
                        String oldValue, String newValue) {
}
