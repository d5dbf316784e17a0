-- What starts an escalation policy: 'declared' (a declared or reopened incident, or one raised to
-- a more severe priority: the behaviour before this migration), or 'sla_at_risk' (an sla.warning
-- or sla.breached event on an incident that has no active escalation). Policies are chosen among
-- those of the trigger at hand only.
ALTER TABLE escalation_policy ADD COLUMN trigger text NOT NULL DEFAULT 'declared' CHECK (trigger IN ('declared', 'sla_at_risk'));
