-- The constituent a report was recorded for, by id. Set only where someone Vigil trusts chose it: a
-- team member logging the report (its organisation, when that names a registered constituent) or a
-- reporter account submitting through the portal (its own constituent). Never from a name typed
-- into the public web form or a mail. A reporter account follows its constituent's reports by this
-- id, besides the ones it submitted itself.
ALTER TABLE report ADD COLUMN constituent_id uuid REFERENCES constituent (id) ON DELETE SET NULL;
CREATE INDEX report_constituent_idx ON report (constituent_id, received_at DESC) WHERE constituent_id IS NOT NULL;

-- Reports already stored: those a signed-in account logged (team or portal) keep their organisation.
UPDATE report SET constituent_id = c.id
  FROM constituent c
 WHERE report.submitted_by IS NOT NULL AND report.organisation IS NOT NULL AND lower(c.name) = lower(report.organisation);
