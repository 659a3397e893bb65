-- The tables of DESIGN §3.4 (alerting tables arrive in their own migration).
-- Runs once, inside the migration transaction, with search_path set to the configured schema.
-- Natural keys make every write idempotent: a replayed batch inserts nothing new.

CREATE TABLE scored_transactions (
    ts              timestamptz      NOT NULL,
    transaction_id  text             NOT NULL,
    account_id      text             NOT NULL,
    amount          double precision NOT NULL,
    currency        text             NOT NULL,
    score           double precision NOT NULL,
    is_anomaly      boolean          NOT NULL,
    severity        text             NOT NULL,
    threshold       double precision NOT NULL,
    model_version   text             NOT NULL,
    late            boolean          NOT NULL DEFAULT false,
    features        jsonb            NOT NULL,
    reasons         jsonb            NOT NULL,
    stored_at       timestamptz      NOT NULL DEFAULT now(),
    -- Includes the time column, so it stays valid when the table becomes a hypertable.
    CONSTRAINT scored_transactions_pkey PRIMARY KEY (transaction_id, ts)
);
CREATE INDEX ix_scored_transactions_ts ON scored_transactions (ts DESC);
CREATE INDEX ix_scored_transactions_account_ts ON scored_transactions (account_id, ts DESC);
CREATE INDEX ix_scored_transactions_anomalies ON scored_transactions (ts DESC) WHERE is_anomaly;

CREATE TABLE quarantine (
    received_at  timestamptz NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    stage        text        NOT NULL,
    reason       text        NOT NULL,
    detail       text        NOT NULL,
    raw          bytea       NOT NULL,
    -- One row per source record. Dropped (and replaced by a plain index) when the table becomes a
    -- hypertable, whose unique keys must contain the time column; the writer's NOT EXISTS guard
    -- keeps replays out in both layouts.
    CONSTRAINT quarantine_source_key UNIQUE (topic, partition, "offset")
);
CREATE INDEX ix_quarantine_received_at ON quarantine (received_at DESC);
CREATE INDEX ix_quarantine_reason ON quarantine (stage, reason, received_at DESC);

CREATE TABLE drift_events (
    ts        timestamptz      NOT NULL,
    detector  text             NOT NULL,
    signal    text             NOT NULL,
    value     double precision NOT NULL,
    details   jsonb            NOT NULL DEFAULT '{}'::jsonb,
    model_version text,
    stored_at timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT drift_events_pkey PRIMARY KEY (detector, signal, ts)
);
CREATE INDEX ix_drift_events_ts ON drift_events (ts DESC);

CREATE TABLE model_versions (
    version     text        NOT NULL,
    trained_at  timestamptz NOT NULL,
    trigger     text        NOT NULL,
    metrics     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- Lifecycle state owned by the model registry (candidate, shadow, active, retired, …).
    status      text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT model_versions_pkey PRIMARY KEY (version)
);
CREATE INDEX ix_model_versions_trained_at ON model_versions (trained_at DESC);

-- Next offset to read per (group, topic, partition), written in the same transaction as the rows
-- when pipeline.store.postgres.store-offsets = on.
CREATE TABLE consumer_offsets (
    group_id     text        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    next_offset  bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consumer_offsets_pkey PRIMARY KEY (group_id, topic, partition),
    CONSTRAINT consumer_offsets_next_offset_check CHECK (next_offset >= 0)
);
