-- E-mail intake. `vigil import eml|mbox` skips a message whose exact bytes are already an e-mail
-- intake item (importing the same mailbox twice makes nothing twice): one lookup by hash per message.
CREATE INDEX intake_item_email_sha256_idx ON intake_item (sha256) WHERE channel = 'email';
