-- The audit chain's head in a row of its own, so that appending a record is one statement: it locks
-- the head row, inserts the next record with its hash computed in SQL, and moves the head. The lock
-- is then held only from that statement to the commit, not across three round trips.
-- Records of form 1 hash their whole canonical body together with the previous hash in the
-- application; records of form 2 hash the previous hash, their sequence number and the digest of
-- the rest of their body (see src/modules/audit/service.ts). Verification accepts both.
ALTER TABLE audit_log ADD COLUMN hash_form smallint NOT NULL DEFAULT 1 CHECK (hash_form IN (1, 2));

CREATE TABLE audit_head (
  id   smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (seq, hash)
SELECT coalesce((SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), 0),
       coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), repeat('0', 64));
