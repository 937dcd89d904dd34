-- A tenant's weight in the fair queue of a saturated model (weighted fair queueing by reserved tokens):
-- a tenant of weight 2 gets twice the tokens of one of weight 1 while both wait.
ALTER TABLE tenant ADD COLUMN fair_share_weight INTEGER NOT NULL DEFAULT 1 CHECK (fair_share_weight BETWEEN 1 AND 1000);
