-- The key that signs audit anchors (src/modules/audit/anchor.ts): an Ed25519 key pair generated at
-- the first anchor, the private half sealed with the instance's secret key. An anchor is the chain's
-- head (seq and hash) written to a file kept away from the database, so a later truncation of the
-- chain — which the chain alone cannot show — is found by `vigil audit verify --anchor FILE`.
CREATE TABLE audit_anchor_key (
  id                 smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  public_key         text NOT NULL,
  sealed_private_key text NOT NULL,
  created_at         timestamptz NOT NULL
);
