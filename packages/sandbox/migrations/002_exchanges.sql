-- Sandbox schema, version 2: the exchanges of each app, kept when the sandbox runs with --record
-- (src/grading/recorder.ts), which the report grades against MES's test scenarios.

-- One request of an app and the sandbox's answer. Secrets never reach this table: tokens,
-- codes and client secrets are masked and document bytes replaced by their size and SHA-256
-- before the row is written. id_pe is the patient a pairing's token speaks for, if any.
CREATE TABLE exchanges (
  seq bigserial PRIMARY KEY,
  client_id text NOT NULL,
  id_pe text,
  at timestamptz NOT NULL,
  method text NOT NULL,
  url text NOT NULL,
  status integer NOT NULL,
  duration_ms integer NOT NULL,
  request_body jsonb,
  response_type text,
  response_body jsonb
);
CREATE INDEX exchanges_app ON exchanges (client_id, seq);
