-- Every server caches key checks (KeyAuthenticator). These triggers tell them, through NOTIFY tenancy, which
-- key or tenant changed, made through any server's API or straight in SQL, so a revocation, a disabled tenant
-- or a new limit is in force everywhere at once. The payload names what changed: key:<key_hash> or
-- tenant:<id>. The last-use time that LastUseRecorder writes in batches is no change worth telling.
CREATE FUNCTION api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenancy', 'key:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.key_hash ELSE NEW.key_hash END);
    IF TG_OP = 'UPDATE' AND OLD.key_hash IS DISTINCT FROM NEW.key_hash THEN
        PERFORM pg_notify('tenancy', 'key:' || OLD.key_hash);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER api_key_inserted_or_deleted AFTER INSERT OR DELETE ON api_key
    FOR EACH ROW EXECUTE FUNCTION api_key_changed();
CREATE TRIGGER api_key_updated AFTER UPDATE ON api_key
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
    EXECUTE FUNCTION api_key_changed();

CREATE FUNCTION tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenancy', 'tenant:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;

CREATE TRIGGER tenant_deleted AFTER DELETE ON tenant
    FOR EACH ROW EXECUTE FUNCTION tenant_changed();
CREATE TRIGGER tenant_updated AFTER UPDATE ON tenant
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION tenant_changed();
