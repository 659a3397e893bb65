-- Alerting (DESIGN §3.4, §4): alerts, their delivery outbox and the cooldown state.
-- Written by Pipeline.Graph/Alerting/PostgresAlertStore.cs; the SQLite store keeps the same tables.

-- One row per alert; alert_id is derived from the transaction id, so a replay inserts nothing.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id        uuid             PRIMARY KEY,
    transaction_id  text             NOT NULL,
    account_id      text             NOT NULL,
    event_ts        timestamptz      NOT NULL,
    amount          double precision NOT NULL,
    currency        text             NOT NULL,
    score           double precision NOT NULL,
    severity        text             NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    threshold       double precision NOT NULL,
    reasons         jsonb            NOT NULL,
    model_version   text             NOT NULL,
    created_at      timestamptz      NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_alerts_account_event ON alerts (account_id, event_ts);
CREATE INDEX IF NOT EXISTS ix_alerts_created ON alerts (created_at);

-- One row per alert and delivery channel, written in the same transaction as the alert.
-- Delivery streams claim due rows with FOR UPDATE SKIP LOCKED and a lease (lease_owner,
-- lease_until); an expired lease may be claimed by anyone. seq orders delivery per account.
CREATE TABLE IF NOT EXISTS alert_outbox (
    seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    alert_id         uuid        NOT NULL REFERENCES alerts (alert_id),
    channel          text        NOT NULL,
    account_id       text        NOT NULL,
    state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'skipped', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      text,
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    PRIMARY KEY (alert_id, channel)
);
-- Due rows of a channel, in order (the claim's scan).
CREATE INDEX IF NOT EXISTS ix_alert_outbox_due ON alert_outbox (channel, seq) WHERE state = 'pending';
-- Earlier pending rows of the same account (the claim's per-account order check).
CREATE INDEX IF NOT EXISTS ix_alert_outbox_account ON alert_outbox (channel, account_id, seq) WHERE state = 'pending';

-- The last alert per (account, reason), so dedupe and cooldown survive restarts.
CREATE TABLE IF NOT EXISTS alert_cooldowns (
    account_id     text        NOT NULL,
    reason         text        NOT NULL,
    last_event_ts  timestamptz NOT NULL,
    severity       text        NOT NULL,
    alert_id       uuid        NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (account_id, reason)
);
