// SLA clocks for the seeded open incidents (the seed itself leaves sla_clock empty; the SLA code
// fills it from the events in a running Vigil). Written with one INSERT … SELECT relative to
// `now` (the server's clock), the same rows every time for the same incidents:
// * every open incident gets an acknowledge clock (met for 95 % of them, ten minutes after the
//   declaration) and a resolution clock (running);
// * of the running clocks, by a hash of incident and metric: 1 % past their deadline (breached,
//   1 to 70 minutes ago), 3 % past their warning time (deadline 3 to 90 minutes ahead), 2 % paused,
//   the rest comfortably ahead (warning 2 to 200 hours away).
// Runs on any adapter with query(sql, params): { query } of the pg client or the PGlite child.
export async function seedSlaClocks(db, nowMs) {
  const now = new Date(nowMs).toISOString();
  // TRUNCATE, not DELETE: a rerun leaves no dead rows for the planner to step over at the index ends.
  await db.query('truncate sla_clock');
  await db.query(
    `insert into sla_clock (incident_id, metric, policy_id, target_minutes, deadline, warn_at, paused, met_at, warned_at, breached_at, computed_at)
     select id, metric, null, target,
            case when b < 10 then now - (b * 7 + 1) * interval '1 minute'
                 when b < 40 then now + ((b - 9) * 3) * interval '1 minute'
                 when b < 60 then null
                 else now + (2 + b % 199) * interval '1 hour' + target * interval '12 seconds' end,
            case when b < 10 then now - (b * 7 + 1) * interval '1 minute' - target * interval '12 seconds'
                 when b < 40 then now - (b % 30 + 1) * interval '1 minute'
                 when b < 60 then null
                 else now + (2 + b % 199) * interval '1 hour' end,
            b >= 40 and b < 60,
            null,
            case when b < 40 then now - (b % 30 + 1) * interval '1 minute' end,
            case when b < 10 then now - (b * 7 + 1) * interval '1 minute' end,
            now
       from (select i.id, m.metric, m.target, $1::timestamptz as now,
                    abs(hashtext(i.id::text || m.metric)) % 1000 as b
               from incident i cross join (values ('resolution', 2880), ('acknowledge', 60)) as m (metric, target)
              where i.status <> 'closed'
                and (m.metric = 'resolution' or abs(hashtext(i.id::text)) % 100 >= 95)) as c`,
    [now],
  );
  await db.query(
    `insert into sla_clock (incident_id, metric, policy_id, target_minutes, deadline, warn_at, paused, met_at, computed_at)
     select i.id, 'acknowledge', null, 60, i.created_at + interval '60 minutes', i.created_at + interval '48 minutes', false,
            i.created_at + interval '10 minutes', $1::timestamptz
       from incident i where i.status <> 'closed' and abs(hashtext(i.id::text)) % 100 < 95`,
    [now],
  );
  await db.query('vacuum analyze sla_clock');
  const [r] = await db.query(
    `select count(*)::int as total, count(*) filter (where met_at is null and not paused)::int as running,
            count(*) filter (where met_at is null and not paused and warn_at <= $1)::int as at_risk,
            count(*) filter (where met_at is null and not paused and deadline <= $1)::int as breached
       from sla_clock`,
    [now],
  );
  return r;
}
