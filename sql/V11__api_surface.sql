-- The API surface beyond chat (#16): what a catalog model does, and the Responses API's stored responses.

-- A model generates text (chat, completions, responses, messages) or embeds it (embeddings only), as vLLM
-- serves either a generative or a pooling model; the launcher starts an 'embed' model with --runner pooling.
ALTER TABLE catalog_model
    ADD COLUMN task VARCHAR(20) NOT NULL DEFAULT 'generate' CHECK (task IN ('generate', 'embed'));

-- Responses made with store (OpenAI's default), readable only by their tenant, kept until expires_at.
-- input is the whole conversation the engine was given (earlier turns included), output the response's
-- output items: together the next turn's input when a request names this one as previous_response_id.
CREATE TABLE stored_response (
    id           VARCHAR(100) PRIMARY KEY,
    tenant_id    BIGINT       NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    key_id       BIGINT,
    request_id   VARCHAR(100) NOT NULL,
    model        VARCHAR(200) NOT NULL,
    input        JSONB        NOT NULL,
    output       JSONB        NOT NULL,
    response     JSONB        NOT NULL,
    created_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL DEFAULT now(),
    expires_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX stored_response_expiry ON stored_response (expires_at);
CREATE INDEX stored_response_tenant ON stored_response (tenant_id, created_at);
