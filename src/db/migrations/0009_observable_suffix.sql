-- Domain suffix search ("example.com and every subdomain") as a prefix range over the reversed value.
CREATE INDEX observable_domain_reverse_idx ON observable (reverse(value) text_pattern_ops) WHERE type = 'domain';
