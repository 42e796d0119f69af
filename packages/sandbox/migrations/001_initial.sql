-- Sandbox schema, version 1. Applied once, in a transaction, by src/database.ts (schema_migrations).

-- Key of the bearer tokens, kept so that tokens survive a restart on the same data.
CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Test patients: the person behind a record. Apps never see this id, only their idPe.
CREATE TABLE patients (
  id text PRIMARY KEY,
  label text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Pairing ("appariement"): an app linked to a patient, who is <oid>|<id_pe> for that app.
CREATE TABLE pairings (
  client_id text NOT NULL,
  patient_id text NOT NULL REFERENCES patients (id),
  oid text NOT NULL,
  id_pe text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, patient_id),
  UNIQUE (oid, id_pe)
);

-- Every stored FHIR resource (current version). patient_id is null for Devices, which belong
-- to the app that created them (owner_client).
CREATE TABLE resources (
  type text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL,
  last_updated timestamptz NOT NULL,
  patient_id text REFERENCES patients (id),
  owner_client text NOT NULL,
  code text,
  effective timestamptz,
  identifiers text[] NOT NULL DEFAULT '{}',
  content jsonb NOT NULL,
  PRIMARY KEY (type, id)
);
CREATE INDEX resources_search ON resources (type, patient_id, code, effective);
CREATE INDEX resources_identifiers ON resources USING gin (identifiers);

-- Document bytes (ITI-68), one row per Binary.
CREATE TABLE binaries (
  id text PRIMARY KEY,
  patient_id text NOT NULL REFERENCES patients (id),
  content_type text NOT NULL,
  data bytea NOT NULL
);
