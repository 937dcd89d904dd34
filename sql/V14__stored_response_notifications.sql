-- Every server keeps the conversations of recent stored responses in memory (RecentConversations), so that a
-- follow-up turn need not read PostgreSQL before it is relayed. A response deleted before its time (DELETE
-- /v1/responses/{id} on any server, or straight in SQL) or changed in SQL (its expiry moved, say) is told to all
-- of them through NOTIFY stored_response, its id as the payload, so that none continues it from memory. The purge
-- deletes only expired rows, which the caches already refuse by their expiry: it tells nothing.
CREATE FUNCTION stored_response_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('stored_response', OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER stored_response_deleted AFTER DELETE ON stored_response
    FOR EACH ROW WHEN (OLD.expires_at > now()) EXECUTE FUNCTION stored_response_changed();
CREATE TRIGGER stored_response_updated AFTER UPDATE ON stored_response
    FOR EACH ROW EXECUTE FUNCTION stored_response_changed();
