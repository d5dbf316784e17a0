// What the scale benchmark asks of the API, the targets (p95, 16 concurrent clients), how each
// answer is checked, and how the statements a request runs are EXPLAINed. The statements are not
// copies of the repositories' queries: bench/lib/pg-capture.mjs records the SQL and parameters the
// server really sends. Runs under any Node.js (the embedded store's EXPLAIN runs in a child under
// the pinned one).
import { SEARCH, TAG, addressInCidr, observableValue, referenceAt, uuidOf } from './seed-data.mjs';

/** The values the scenarios look up, for a seeded plan `p`. */
export function scenarioValues(p) {
  return {
    ip: observableValue('ipv4', 1234),
    ...(({ net, address }) => ({ net, address }))(addressInCidr(1002)), // a /24 (1002 % 20 > 1)
    domain: observableValue('domain', 4321),
    bigRef: referenceAt(p, p.big),
    bigId: uuidOf(TAG.incident, p.big),
  };
}

/**
 * The scenarios for a seeded plan `p` (from seed-data.mjs plan()). `db.query(sql)` resolves rows;
 * `sql(db)` returns the statements one request runs, ids filled in from the data.
 */
export function scenarios(p) {
  const { ip, net, address, domain, bigRef, bigId } = scenarioValues(p);
  const out = [
    {
      // No target: what the HTTP stack, sessions and this machine cost without data, for reading
      // the others (with 16 clients, latency is about clients / throughput once the CPUs are busy).
      name: 'baseline',
      label: 'baseline: GET /auth/me (no incident data)',
      target: null,
      paths: ['/api/v1/auth/me'],
      check: ([r]) => r.body.user?.username === 'bench.handler' || 'not signed in as bench.handler',
    },
    {
      name: 'queue',
      label: 'open-incidents queue page (50 rows)',
      target: 50,
      paths: ['/api/v1/incidents?open=true&limit=50'],
      check: ([r]) => r.body.items?.length === 50 || `expected 50 items, got ${r.body.items?.length}`,
    },
  ];
  for (const [sel, word] of Object.entries(SEARCH)) {
    if (sel === 'RARE_EVERY') continue;
    out.push({
      name: `search:${sel}`,
      label: `full-text search "${word}" (${sel})`,
      target: 200,
      paths: [`/api/v1/incidents?q=${encodeURIComponent(word)}&limit=50`],
      check: ([r]) => Array.isArray(r.body.items) || 'no items',
    });
  }
  out.push(
    {
      name: 'observable:ip',
      label: `observable by value, IPv4 ${ip}`,
      target: 20,
      paths: [`/api/v1/observables?value=${encodeURIComponent(ip)}`],
      check: ([r]) => r.body.items?.some((o) => o.value === ip) || `${ip} not found`,
    },
    {
      name: 'observable:cidr',
      label: `observable by CIDR containment, ${address} in ${net}`,
      target: 20,
      paths: [`/api/v1/observables?value=${encodeURIComponent(address)}`],
      check: ([r]) => r.body.items?.some((o) => o.value === net) || `${net} not found`,
    },
    {
      name: 'observable:domain',
      label: `observable by value, domain ${domain}`,
      target: 20,
      paths: [`/api/v1/observables?value=${encodeURIComponent(domain)}`],
      check: ([r]) => r.body.items?.some((o) => o.value === domain) || `${domain} not found`,
    },
    {
      name: 'incident-page',
      label: `incident page ${bigRef}: incident + 500 timeline entries`,
      target: 100,
      // As the web app loads it: the incident by reference, then its timeline (500 a page).
      paths: [`/api/v1/incidents/${bigRef}`, `/api/v1/incidents/${bigId}/timeline?limit=500`],
      check: ([a, b]) => (a.body.reference === bigRef && b.body.items?.length === 500) || `expected ${bigRef} with 500 entries, got ${b.body.items?.length}`,
    },
  );
  return out;
}

/** Match counts of the search words (for reading the search figures). */
export async function searchCounts(db) {
  const out = {};
  for (const [sel, word] of Object.entries(SEARCH)) {
    if (sel === 'RARE_EVERY') continue;
    const [r] = await db.query(`select count(*)::int as n from incident where search @@ websearch_to_tsquery('simple', $1)`, [word]);
    out[sel] = r.n;
  }
  return out;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the read statements captured for one request (`db.query(sql,
 * params)` resolves rows), each once warmed up; `map` replaces parameter values (another store's
 * ids and values). A statement that ran over a minute when captured (or never finished: `ms`
 * null), or that `db.timeout` stops, gets a plain EXPLAIN (estimates only). Returns them slowest
 * first as { sql, params, ms, plan, analyzed } (plan: text lines; ms NaN when not analyzed).
 */
export async function explainStatements(db, statements, map = {}) {
  const out = [];
  const seen = new Set();
  for (const s of statements ?? []) {
    if (!/^\s*(select|with)\b/i.test(s.sql)) continue;
    const params = s.params.map((v) => (typeof v === 'string' && v in map ? map[v] : v));
    const key = s.sql + JSON.stringify(params);
    if (seen.has(key)) continue;
    seen.add(key);
    let rows;
    let analyzed = s.ms !== null && s.ms < 60_000;
    if (analyzed) {
      try {
        await db.query(s.sql, params); // warm, as the load was
        rows = await db.query(`explain (analyze, buffers) ${s.sql}`, params);
      } catch (e) {
        if (!/statement timeout|canceling statement/i.test(String(e?.message))) throw e;
        analyzed = false;
      }
    }
    if (!analyzed) rows = await db.query(`explain ${s.sql}`, params);
    const plan = rows.map((r) => r['QUERY PLAN']);
    const ms = analyzed ? Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? NaN) : NaN;
    out.push({ sql: s.sql.replace(/\s+/g, ' '), params, ms, plan, analyzed, capturedMs: s.ms });
  }
  // Not analyzed means too slow to: those first.
  const rank = (x) => (x.analyzed ? x.ms : Infinity);
  return out.sort((a, b) => rank(b) - rank(a));
}
