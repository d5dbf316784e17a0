-- The operations dashboard (src/modules/dashboard/), read on every refresh by every open screen.
-- Index-only reads, so a dashboard request touches no incident or clock row it does not list:
-- * open incidents counted by priority, status and exercise flag, with the TLP / need-to-know
--   test (tlp, assignee_id, and id for the role lookup): a scan of the open incidents' partial
--   index (a million incidents, some tens of thousands open);
-- * the running SLA clocks past their warning time, counted through warn_at, each joined to its
--   open incident by id for the same test;
-- * the nearest deadlines of running clocks walked in order (sla_clock_deadline_idx leaves out
--   clocks already marked breached).
CREATE INDEX incident_open_dashboard_idx ON incident (priority, status, exercise, tlp, assignee_id, id) WHERE status <> 'closed';
CREATE INDEX incident_open_id_idx ON incident (id) INCLUDE (status, exercise, tlp, assignee_id) WHERE status <> 'closed';
CREATE INDEX sla_clock_running_warn_idx ON sla_clock (warn_at, deadline, incident_id) WHERE met_at IS NULL AND NOT paused;
CREATE INDEX sla_clock_running_deadline_idx ON sla_clock (deadline) WHERE met_at IS NULL AND NOT paused;
