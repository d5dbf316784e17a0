// Synthetic, deterministic data for the scale benchmark (bench/incidents-scale.mjs): incidents with
// RSIT classifications and role holders, reports with their raw bytes, observables of every type,
// links, and the incidents' event logs, written as PostgreSQL COPY text (one row a line, columns
// separated by tabs). Plain ESM without dependencies, so it runs under any Node.js the bench uses.
//
// Everything derives from row numbers and a seeded PRNG: the same counts give the same data, and
// the benchmark can compute which values exist (an address, a network, a domain) without asking.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const RSIT_FILE = new URL('../../src/modules/incidents/rsit-machinetag.json', import.meta.url);

/** RSIT class/type pairs (the values Vigil stores), without the `test` class. */
export const RSIT_PAIRS = JSON.parse(readFileSync(RSIT_FILE, 'utf8'))
  .values.filter((v) => v.predicate !== 'test')
  .flatMap((v) => v.entry.map((e) => ({ cls: v.predicate, type: e.value, label: e.expanded })));

// ---------------------------------------------------------------------------------------------
// Deterministic randomness and ids

/** A small fast PRNG (32-bit state), values in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer hash (good avalanche), for picking things from a row number. */
export function hash32(x) {
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b) >>> 0;
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b) >>> 0;
  return ((x >>> 16) ^ x) >>> 0;
}

const hex8 = (n) => (n >>> 0).toString(16).padStart(8, '0');

/**
 * A random-looking but reproducible version-4 UUID for row `n` of entity `tag` (1-15): unique per
 * (tag, n) for n < 2^32, so links can name rows without keeping their ids in memory.
 */
export function uuidOf(tag, n) {
  const a = hash32(n ^ Math.imul(tag, 0x9e3779b1));
  const b = hash32(a ^ 0x5bd1e995);
  const c = hash32(b ^ tag);
  const hb = hex8(b);
  return `${hex8(a)}-${hb.slice(0, 4)}-4${hb.slice(5, 8)}-${(8 + (c & 3)).toString(16)}${tag.toString(16).padStart(3, '0')}-${hex8(c).slice(0, 4)}${hex8(n)}`;
}

export const TAG = { user: 1, incident: 2, report: 3, observable: 4 };

// ---------------------------------------------------------------------------------------------
// Words for titles, summaries, notes and reports (full-text search needs real variety)

const FAMILIES = [
  'emotet', 'qakbot', 'icedid', 'lockbit', 'blackcat', 'cobaltstrike', 'mimikatz', 'trickbot', 'ryuk', 'conti', 'agenttesla', 'formbook',
  'redline', 'raccoon', 'asyncrat', 'njrat', 'remcos', 'dridex', 'ursnif', 'bumblebee', 'pikabot', 'darkgate', 'latrodectus', 'akira',
  'play', 'royal', 'clop', 'medusa', 'rhysida', 'bianlian', 'snake', 'vidar', 'lumma', 'stealc', 'amadey', 'smokeloader', 'gootloader',
  'socgholish', 'raspberryrobin', 'sliver',
];
const NOUNS = [
  'account', 'server', 'workstation', 'mailbox', 'credential', 'domain', 'firewall', 'vpn', 'gateway', 'endpoint', 'database', 'backup',
  'website', 'portal', 'login', 'password', 'token', 'certificate', 'invoice', 'attachment', 'macro', 'script', 'payload', 'beacon',
  'scanner', 'botnet', 'proxy', 'tunnel', 'share', 'printer', 'router', 'switch', 'hypervisor', 'container', 'cluster', 'repository',
  'pipeline', 'laptop', 'smartphone', 'tablet', 'kiosk', 'camera', 'sensor', 'controller', 'plc', 'scada', 'dns', 'smtp', 'ldap', 'rdp',
  'ssh', 'sftp', 'api', 'webhook', 'bucket', 'tenant', 'subscription', 'license', 'payment', 'transfer', 'wallet', 'helpdesk', 'ticket',
];
const VERBS = [
  'reported', 'observed', 'detected', 'blocked', 'quarantined', 'escalated', 'contacted', 'isolated', 'reimaged', 'patched', 'analysed',
  'confirmed', 'suspected', 'exfiltrated', 'encrypted', 'deleted', 'modified', 'scanned', 'exploited', 'compromised', 'phished', 'abused',
  'leaked', 'published', 'notified', 'forwarded', 'correlated', 'enriched', 'triaged', 'resolved',
];
const ADJS = [
  'suspicious', 'malicious', 'unusual', 'anomalous', 'unauthorised', 'external', 'internal', 'critical', 'legacy', 'exposed', 'outdated',
  'vulnerable', 'spoofed', 'fraudulent', 'automated', 'repeated', 'targeted', 'widespread', 'persistent', 'lateral', 'privileged',
  'dormant', 'orphaned', 'shadow', 'misconfigured', 'public', 'encrypted', 'signed', 'unsigned', 'obfuscated',
];
const BRANDS = [
  'microsoft', 'docusign', 'dhl', 'paypal', 'netflix', 'amazon', 'ups', 'fedex', 'linkedin', 'dropbox', 'wetransfer', 'adobe', 'apple',
  'google', 'sharepoint', 'onedrive', 'outlook', 'zoom', 'teams', 'okta',
];
const DEPTS = [
  'finance', 'payroll', 'hr', 'legal', 'sales', 'marketing', 'engineering', 'research', 'procurement', 'logistics', 'executive', 'it',
  'support', 'facilities', 'communications', 'audit', 'treasury', 'customer-service',
];
const ORGS = Array.from({ length: 500 }, (_, i) => `${['Stadtwerke', 'Ministry', 'University', 'Hospital', 'Bank', 'Council', 'Agency', 'Institute', 'Telecom', 'Foundation'][i % 10]} ${NOUNS[(i * 7) % NOUNS.length][0].toUpperCase()}${NOUNS[(i * 7) % NOUNS.length].slice(1)} ${i + 1}`);
const FIRST = ['anna', 'ben', 'chiara', 'david', 'elena', 'farid', 'greta', 'hugo', 'ines', 'jonas', 'katja', 'lars', 'maria', 'nils', 'olga', 'piotr', 'rosa', 'sven', 'tereza', 'ugo'];
const LAST = ['meyer', 'rossi', 'novak', 'jensen', 'garcia', 'dubois', 'kowalski', 'nielsen', 'silva', 'horvat', 'berg', 'costa', 'lindqvist', 'moreau', 'schmidt'];
const TLDS = ['com', 'net', 'org', 'io', 'info', 'xyz', 'top', 'ru', 'cn', 'de', 'eu', 'fr', 'nl', 'online', 'site', 'club'];
const EXTS = ['exe', 'dll', 'js', 'vbs', 'ps1', 'docm', 'xlsm', 'zip', 'iso', 'lnk', 'hta', 'pdf', 'one', 'msi', 'bat'];

/** Zipf-like pick from a list: index 0 most often (share ~1/(k+1)). */
function zipf(list, r) {
  // Inverse of the cumulative 1/k weights, approximated by an exponential of a uniform draw.
  const n = list.length;
  const i = Math.floor(Math.exp(r * Math.log(n + 1))) - 1;
  return list[Math.min(n - 1, Math.max(0, i))];
}

/**
 * Search words the benchmark queries, by how many incidents they match: a planted word in one
 * incident of RARE_EVERY, and a word that occurs nowhere.
 */
export const SEARCH = {
  common: 'phishing',
  medium: 'latrodectus',
  rare: 'quetzalcoatl',
  none: 'zeppelinfahrt',
  RARE_EVERY: 50_000,
};

function sentence(r, words) {
  const out = [];
  for (let i = 0; i < words; i++) {
    const x = r();
    if (x < 0.3) out.push(zipf(NOUNS, r()));
    else if (x < 0.5) out.push(zipf(VERBS, r()));
    else if (x < 0.65) out.push(zipf(ADJS, r()));
    else if (x < 0.7) out.push(zipf(FAMILIES, r()));
    else if (x < 0.75) out.push(zipf(DEPTS, r()));
    else if (x < 0.78) out.push(zipf(BRANDS, r()));
    else out.push(['the', 'a', 'on', 'from', 'to', 'by', 'with', 'after', 'via', 'and', 'of', 'in'][Math.floor(r() * 12)]);
  }
  return out.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Sizes and the shape of the data

/**
 * Everything the generator and the benchmark agree on, from the row counts: users, time span,
 * which incident has the 500-entry timeline, and the observables per type.
 */
export function plan(counts, nowMs = Date.UTC(2026, 10, 1)) {
  const N = counts.incidents;
  const SPAN_MS = 7 * 365 * 86_400_000;
  const start = nowMs - SPAN_MS;
  const users = Array.from({ length: 40 }, (_, i) => ({ id: uuidOf(TAG.user, i), username: `analyst${String(i + 1).padStart(2, '0')}`, displayName: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}` }));
  // The benchmark signs in as this handler: a role holder on some restricted incidents.
  const handler = { id: uuidOf(TAG.user, 999), username: 'bench.handler', displayName: 'Bench Handler' };
  const big = N - Math.max(1, Math.floor(N / 1000)); // recent, but not the newest
  const M = counts.observables;
  const weights = [
    ['ipv4', 30], ['ipv6', 5], ['cidr', 3], ['domain', 20], ['url', 14], ['email', 8], ['md5', 5], ['sha1', 3], ['sha256', 7],
    ['filename', 2], ['asn', 1], ['user-account', 1], ['other', 1],
  ];
  const total = weights.reduce((a, [, w]) => a + w, 0);
  const blocks = [];
  let at = 0;
  for (const [type, w] of weights) {
    const n = type === 'other' ? M - at : Math.floor((M * w) / total);
    blocks.push({ type, from: at, n });
    at += n;
  }
  // A multiplier coprime with M spreads observables over incidents (a bijection of 0..M-1).
  let P = 7919;
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  while (gcd(P, M) !== 1) P += 2;
  return { counts, N, start, spanMs: SPAN_MS, nowMs, users, handler, big, blocks, P, prefix: 'VIG' };
}

/** When incident i was declared. */
// Jitter stays below the spacing, so times never go backwards (per-year numbering relies on it).
export const createdAt = (p, i) => p.start + Math.floor(((i + 0.5) * p.spanMs) / p.N) - (hash32(i) % Math.max(1, Math.floor(p.spanMs / p.N)));

const OPEN_STATUSES = ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery'];
const RESOLUTIONS = ['resolved', 'resolved', 'resolved', 'false_positive', 'false_positive', 'duplicate', 'outside_mandate', 'no_action_possible'];
const LEVELS = ['low', 'medium', 'high', 'critical'];
const MATRIX = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3' },
  high: { critical: 'P1', high: 'P2', medium: 'P2', low: 'P3' },
  medium: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P4' },
  low: { critical: 'P3', high: 'P3', medium: 'P4', low: 'P4' },
};

/** The attributes of incident i, the same every time they are asked for. */
export function incidentOf(p, i) {
  const r = prng(hash32(i) ^ 0x1c1d);
  const isBig = i === p.big;
  const open = isBig || r() < 0.05;
  const x = r();
  const tlp = isBig ? 'AMBER' : x < 0.1 ? 'CLEAR' : x < 0.35 ? 'GREEN' : x < 0.95 ? 'AMBER' : x < 0.98 ? 'AMBER+STRICT' : 'RED';
  const impact = LEVELS[Math.min(3, Math.floor(r() * r() * 5))];
  const urgency = LEVELS[Math.min(3, Math.floor(r() * r() * 5))];
  // Phishing is the most common report of all: a fifth of incidents, the rest spread over RSIT.
  const pair = r() < 0.2 ? RSIT_PAIRS.find((c) => c.type === 'phishing') : RSIT_PAIRS[Math.floor(r() * RSIT_PAIRS.length)];
  const second = r() < 0.15 ? RSIT_PAIRS[Math.floor(r() * RSIT_PAIRS.length)] : null;
  const creator = p.users[Math.floor(r() * p.users.length)];
  const status = open ? (isBig ? 'analysis' : OPEN_STATUSES[Math.floor(r() * OPEN_STATUSES.length)]) : 'closed';
  return { i, open, tlp, impact, urgency, priority: MATRIX[impact][urgency], pair, second, creator, status, r };
}

function titleOf(inc) {
  const { r, pair } = inc;
  const host = `${['ws', 'srv', 'lt', 'db', 'fw', 'vm'][Math.floor(r() * 6)]}-${(hash32(inc.i) % 90000) + 10000}`;
  const fam = zipf(FAMILIES, r());
  switch (Math.floor(r() * 5)) {
    case 0: return `${pair.label}: ${zipf(ADJS, r())} ${zipf(NOUNS, r())} on ${host}`;
    case 1: return `${pair.type === 'phishing' ? 'Phishing' : pair.label} campaign impersonating ${zipf(BRANDS, r())} targeting ${zipf(DEPTS, r())}`;
    case 2: return `${fam} ${zipf(VERBS, r())} on ${host} (${zipf(DEPTS, r())})`;
    case 3: return `${zipf(ADJS, r())} ${zipf(NOUNS, r())} ${zipf(VERBS, r())} by ${zipf(DEPTS, r())} - ${pair.label}`;
    default: return `${pair.label} involving ${fam} and ${zipf(NOUNS, r())} ${host}`;
  }
}

function summaryOf(inc) {
  const { r } = inc;
  let s = sentence(r, 15 + Math.floor(r() * 40));
  if (inc.i % SEARCH.RARE_EVERY === 7) s += ` ${SEARCH.rare}`;
  if (inc.pair.type === 'phishing') s += ' phishing mail reported by staff';
  return s;
}

// ---------------------------------------------------------------------------------------------
// COPY text

/** COPY text escaping for a value that may hold backslashes, tabs or line breaks. */
const esc = (s) => (/[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s);
const N_ = '\\N';
const iso = (ms) => new Date(ms).toISOString();

/** Encodes lines into UTF-8 chunks of about `size` bytes for COPY (Buffers: no giant strings). */
function* chunked(lines, size = 1 << 20) {
  let buf = Buffer.allocUnsafe(size + (64 << 10));
  let off = 0;
  for (const line of lines) {
    if (off + line.length * 3 + 1 > buf.length) {
      if (off > 0) {
        yield buf.subarray(0, off);
        buf = Buffer.allocUnsafe(Math.max(size + (64 << 10), line.length * 3 + 1));
        off = 0;
      } else {
        buf = Buffer.allocUnsafe(line.length * 3 + 1);
      }
    }
    off += buf.write(line, off, 'latin1'); // the generated data is ASCII only
    buf[off++] = 10;
    if (off >= size) {
      yield buf.subarray(0, off);
      buf = Buffer.allocUnsafe(size + (64 << 10));
      off = 0;
    }
  }
  if (off > 0) yield buf.subarray(0, off);
}

/**
 * The tables to load, in FK order, each with its COPY column list and a generator of text chunks.
 * `users` includes password hashes supplied by the caller (argon2 of a known password).
 */
export function tables(p, { passwordHash }) {
  const { counts, N } = p;
  const t = [];

  t.push({
    table: 'app_user',
    columns: ['id', 'username', 'display_name', 'email', 'password_hash', 'must_change_password', 'roles', 'created_at', 'updated_at', 'password_changed_at'],
    *rows() {
      for (const u of [...p.users, p.handler]) {
        const at = iso(p.start);
        yield `${u.id}\t${u.username}\t${u.displayName}\t${u.username}@csirt.example\t${passwordHash}\tf\t{handler}\t${at}\t${at}\t${at}`;
      }
    },
  });

  t.push({
    table: 'incident',
    columns: ['id', 'reference', 'title', 'summary', 'status', 'resolution', 'impact', 'urgency', 'priority', 'tlp', 'pap', 'constituent', 'exercise',
      'detected_at', 'contained_at', 'recovered_at', 'version', 'created_by', 'created_at', 'updated_at', 'closed_at', 'assignee_id'],
    *rows() {
      const refs = referenceCounter(p);
      for (let i = 0; i < N; i++) {
        const inc = incidentOf(p, i);
        const c = createdAt(p, i);
        const ref = refs(i);
        const title = i === p.big ? `Long-running intrusion investigation with ${SEARCH.medium} loader on srv-40404` : titleOf(inc);
        const summary = summaryOf(inc);
        const closed = inc.open ? N_ : iso(c + 3_600_000 * (2 + (hash32(i) % 400)));
        const r = inc.r;
        yield [
          uuidOf(TAG.incident, i), ref, esc(title), esc(summary), inc.status, inc.open ? N_ : RESOLUTIONS[Math.floor(r() * RESOLUTIONS.length)],
          inc.impact, inc.urgency, inc.priority, inc.tlp, r() < 0.7 ? 'AMBER' : 'GREEN', r() < 0.6 ? ORGS[Math.floor(r() * ORGS.length)] : N_, r() < 0.01 ? 't' : 'f',
          iso(c - 600_000), inc.open ? N_ : iso(c + 7_200_000), inc.open ? N_ : iso(c + 86_400_000),
          2 + Math.floor(r() * 8), inc.creator.id, iso(c), inc.open ? iso(c + 60_000) : closed, closed, r() < 0.8 ? p.users[Math.floor(r() * p.users.length)].id : N_,
        ].join('\t');
      }
    },
  });

  t.push({
    table: 'incident_classification',
    columns: ['incident_id', 'class', 'type', 'is_primary'],
    *rows() {
      for (let i = 0; i < N; i++) {
        const inc = incidentOf(p, i);
        const id = uuidOf(TAG.incident, i);
        yield `${id}\t${inc.pair.cls}\t${inc.pair.type}\tt`;
        if (inc.second && (inc.second.cls !== inc.pair.cls || inc.second.type !== inc.pair.type)) yield `${id}\t${inc.second.cls}\t${inc.second.type}\tf`;
      }
    },
  });

  t.push({
    table: 'incident_role',
    columns: ['incident_id', 'role', 'user_id', 'assigned_at'],
    *rows() {
      for (let i = 0; i < N; i++) {
        const inc = incidentOf(p, i);
        const id = uuidOf(TAG.incident, i);
        const at = iso(createdAt(p, i));
        yield `${id}\tcoordinator\t${inc.creator.id}\t${at}`;
        const h = hash32(i ^ 0x77);
        const analyst = p.users[h % p.users.length];
        if (h % 3 === 0 && analyst.id !== inc.creator.id) yield `${id}\tanalyst\t${analyst.id}\t${at}`;
        // The benchmark's handler holds a role in every fifth restricted incident and the big one.
        const restricted = inc.tlp === 'RED' || inc.tlp === 'AMBER+STRICT';
        if (i === p.big || (restricted && h % 5 === 1)) yield `${id}\ttechnical_lead\t${p.handler.id}\t${at}`;
      }
    },
  });

  t.push({
    table: 'incident_counter',
    columns: ['year', 'last'],
    *rows() {
      const last = new Map();
      const refs = referenceCounter(p);
      for (let i = 0; i < N; i++) {
        const ref = refs(i);
        const [, y, n] = ref.split('-');
        last.set(y, Number(n));
      }
      for (const [y, n] of last) yield `${y}\t${n}`;
    },
  });

  // Observables: blocks of each type; observable o's "home" incident is spread over all incidents.
  const obsValue = (type, j) => observableValue(type, j);
  const homeOf = (o) => Math.floor((((o * p.P) % counts.observables) * N) / counts.observables);
  t.push({
    table: 'observable',
    columns: ['id', 'type', 'value', 'net', 'ioc', 'tlp', 'tags', 'first_seen', 'last_seen'],
    *rows() {
      for (const b of p.blocks) {
        const isNet = b.type === 'ipv4' || b.type === 'ipv6' || b.type === 'cidr';
        for (let j = 0; j < b.n; j++) {
          const o = b.from + j;
          const v = obsValue(b.type, j);
          const h = hash32(o ^ 0x0b5);
          const seen = createdAt(p, homeOf(o));
          const tlp = h % 10 < 7 ? 'AMBER' : h % 10 < 9 ? 'GREEN' : 'CLEAR';
          const tags = h % 7 === 0 ? `{${zipf(FAMILIES, (h >>> 8) / 16777216)}}` : h % 11 === 0 ? '{c2,botnet}' : '{}';
          yield `${uuidOf(TAG.observable, o)}\t${b.type}\t${esc(v)}\t${isNet ? v : N_}\t${h % 3 === 0 ? 't' : 'f'}\t${tlp}\t${tags}\t${iso(seen)}\t${iso(seen + (h % 1000) * 3_600_000)}`;
        }
      }
    },
  });

  t.push({
    table: 'incident_observable',
    columns: ['incident_id', 'observable_id', 'added_by', 'added_at'],
    *rows() {
      for (let o = 0; o < counts.observables; o++) {
        const i = homeOf(o);
        yield `${uuidOf(TAG.incident, i)}\t${uuidOf(TAG.observable, o)}\t${p.users[o % p.users.length].id}\t${iso(createdAt(p, i) + 1_800_000)}`;
      }
      // A third of incidents also share one of a few thousand "hot" addresses (scanners, C2s).
      const hot = Math.min(2000, p.blocks[0].n);
      for (let i = 0; i < N; i++) {
        const h = hash32(i ^ 0x4077);
        if (h % 3 !== 0) continue;
        const o = (h >>> 4) % hot;
        if (homeOf(o) === i) continue;
        yield `${uuidOf(TAG.incident, i)}\t${uuidOf(TAG.observable, o)}\t${p.users[h % p.users.length].id}\t${iso(createdAt(p, i) + 2_400_000)}`;
      }
    },
  });

  t.push({
    table: 'incident_event',
    columns: ['incident_id', 'kind', 'at', 'occurred_at', 'actor_id', 'actor_name', 'tlp', 'data'],
    *rows() {
      yield* eventRows(p);
    },
  });

  const R = counts.reports;
  // A report belongs to an incident declared about when it came in.
  const reportIncident = (k) => Math.max(0, Math.min(N - 1, Math.floor(((k + 0.5) * N) / R) + (hash32(k) % 5) - 2));
  const receivedAt = (k) => p.start + Math.floor(((k + 0.5) * p.spanMs) / R) - (hash32(k ^ 0x99) % Math.max(1, Math.floor(p.spanMs / R)));
  t.push({
    table: 'report',
    columns: ['id', 'reference', 'channel', 'source', 'status', 'title', 'body', 'tlp', 'reporter_name', 'reporter_email', 'reporter_phone', 'organisation',
      'received_at', 'submitted_by', 'incident_id', 'merged_into', 'rejection', 'rejection_note', 'decided_by', 'decided_at', 'version', 'updated_at'],
    *rows() {
      let year = 0;
      let n = 0;
      for (let k = 0; k < R; k++) {
        const rep = reportOf(p, k, R);
        const at = receivedAt(k);
        const y = new Date(at).getUTCFullYear();
        if (y !== year) {
          year = y;
          n = 0;
        }
        n++;
        const decided = rep.status === 'new' ? N_ : iso(at + 1_800_000 + (hash32(k) % 86_400_000));
        const decider = rep.status === 'new' ? N_ : p.users[hash32(k ^ 3) % p.users.length].id;
        const incidentId = rep.status === 'linked' ? uuidOf(TAG.incident, reportIncident(k)) : N_;
        const mergedInto = rep.status === 'merged' ? uuidOf(TAG.report, k - 1 - (hash32(k) % Math.min(k, 50))) : N_;
        yield [
          uuidOf(TAG.report, k), `${p.prefix}-R-${y}-${String(n).padStart(6, '0')}`, rep.channel, rep.source, rep.status, esc(rep.title), esc(rep.body), rep.tlp,
          rep.name, rep.email, rep.phone, rep.org, iso(at), rep.channel === 'email' || rep.channel === 'monitoring' ? N_ : p.users[k % p.users.length].id,
          incidentId, mergedInto, rep.status === 'rejected' ? rep.rejection : N_, rep.status === 'rejected' ? 'not in scope of this team' : N_,
          decider, decided, rep.status === 'new' ? 1 : 2, rep.status === 'new' ? iso(at) : decided,
        ].join('\t');
      }
    },
  });

  t.push({
    table: 'report_raw',
    columns: ['report_id', 'content_type', 'content', 'sha256'],
    *rows() {
      for (let k = 0; k < R; k++) {
        const rep = reportOf(p, k, R);
        const at = new Date(receivedAt(k)).toUTCString();
        let type;
        let raw;
        if (rep.channel === 'email') {
          type = 'message/rfc822';
          raw = `From: ${rep.rawName} <${rep.rawEmail}>\r\nTo: cert@csirt.example\r\nDate: ${at}\r\nSubject: ${rep.title}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${rep.body}\r\n`;
        } else if (rep.channel === 'api' || rep.channel === 'monitoring') {
          type = 'application/json';
          raw = JSON.stringify({ title: rep.title, body: rep.body, source: rep.rawSource, received: at });
        } else {
          type = 'text/plain';
          raw = `${rep.title}\n\n${rep.body}\n`;
        }
        const bytes = Buffer.from(raw, 'utf8');
        const sha = createHash('sha256').update(bytes).digest('hex');
        // bytea in its escape form (printable ASCII as is), which COPY's own escaping doubles.
        const content = raw.replace(/\\/g, '\\\\\\\\').replace(/\r/g, '\\\\015').replace(/\n/g, '\\\\012');
        yield `${uuidOf(TAG.report, k)}\t${type}\t${content}\t${sha}`;
      }
    },
  });

  t.push({
    table: 'report_counter',
    columns: ['year', 'last'],
    *rows() {
      const last = new Map();
      for (let k = 0; k < R; k++) {
        const y = new Date(receivedAt(k)).getUTCFullYear();
        last.set(y, (last.get(y) ?? 0) + 1);
      }
      for (const [y, n] of last) yield `${y}\t${n}`;
    },
  });

  for (const x of t) x.chunks = () => chunked(x.rows());
  return t;
}

/** References in order, numbered per year (a closure: call it with i = 0, 1, 2, …). */
function referenceCounter(p) {
  let year = 0;
  let n = 0;
  let next = 0;
  return (i) => {
    if (i !== next) throw new Error('references are handed out in order');
    next++;
    const y = new Date(createdAt(p, i)).getUTCFullYear();
    if (y !== year) {
      year = y;
      n = 0;
    }
    n++;
    return `${p.prefix}-${y}-${String(n).padStart(5, '0')}`;
  };
}

/** The reference of incident i, counted from the start (for the benchmark, which needs one or two). */
export function referenceAt(p, target) {
  const refs = referenceCounter(p);
  let ref = '';
  for (let i = 0; i <= target; i++) ref = refs(i);
  return ref;
}

const CHANNELS = ['email', 'email', 'email', 'email', 'web_form', 'web_form', 'portal', 'api', 'monitoring', 'monitoring', 'phone', 'other'];
function reportOf(p, k, R) {
  const r = prng(hash32(k) ^ 0x7e9);
  const channel = CHANNELS[Math.floor(r() * CHANNELS.length)];
  const x = r();
  // The newest reports are the unprocessed queue; older ones were decided.
  const recent = k >= R - Math.max(50, Math.floor(R / 500));
  let status = recent && x < 0.6 ? 'new' : x < 0.76 ? 'linked' : x < 0.86 ? 'merged' : x < 0.98 ? 'rejected' : k >= R - Math.floor(R / 50) ? 'new' : 'linked';
  if (status === 'merged' && k === 0) status = 'linked';
  const first = FIRST[Math.floor(r() * FIRST.length)];
  const last = LAST[Math.floor(r() * LAST.length)];
  const orgIdx = Math.floor(r() * ORGS.length);
  const domain = `${zipf(NOUNS, r())}-${orgIdx}.${TLDS[orgIdx % TLDS.length]}`;
  const title = r() < 0.3 ? `Phishing mail impersonating ${zipf(BRANDS, r())}` : `${zipf(ADJS, r())} ${zipf(NOUNS, r())} ${zipf(VERBS, r())} at ${zipf(DEPTS, r())}`;
  const body = `${sentence(r, 20 + Math.floor(r() * 40))}\n\n${sentence(r, 10 + Math.floor(r() * 20))}`;
  const named = channel !== 'monitoring';
  return {
    channel,
    source: channel === 'monitoring' ? ['intelmq', 'shadowserver', 'abuse.ch', 'suricata'][k % 4] : N_,
    rawSource: channel === 'monitoring' ? ['intelmq', 'shadowserver', 'abuse.ch', 'suricata'][k % 4] : 'api-client',
    status,
    title,
    body,
    tlp: r() < 0.7 ? 'AMBER' : r() < 0.8 ? 'GREEN' : 'CLEAR',
    name: named ? `${first} ${last}` : N_,
    email: named ? `${first}.${last}@${domain}` : N_,
    phone: channel === 'phone' ? `+49 30 ${1000000 + (hash32(k) % 8999999)}` : N_,
    org: named && r() < 0.8 ? ORGS[orgIdx] : N_,
    rawName: `${first} ${last}`,
    rawEmail: `${first}.${last}@${domain}`,
    rejection: ['not_incident', 'false_positive', 'spam', 'outside_mandate', 'duplicate'][Math.floor(r() * 5)],
  };
}

// ---------------------------------------------------------------------------------------------
// Observable values (unique per type by construction)

const b36 = (n) => n.toString(36);
const ip4 = (x) => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;

/** The canonical value of the j-th observable of a type (as Vigil's normaliser would store it). */
export function observableValue(type, j) {
  switch (type) {
    case 'ipv4':
      // An odd multiplier is a bijection modulo 2^32: distinct j, distinct addresses.
      return ip4((Math.imul(j, 0x9e3779b1) + 0x0a000001) >>> 0);
    case 'ipv6':
      return `2001:db8:${b16(1 + (j >>> 15))}:${b16(1 + (j & 0x7fff))}::${b16(1 + (hash32(j) & 0xfffe))}`;
    case 'cidr': {
      const m = Math.floor(j / 20);
      if (j % 20 === 0) return `${ip4(((Math.imul(m, 40503) + 17) & 0xffff) << 16 >>> 0)}/16`;
      if (j % 20 === 1) return `${ip4(((Math.imul(m, 40503) + 5) & 0xfffff) << 12 >>> 0)}/20`;
      return `${ip4(((Math.imul(j, 40503) + 77) & 0xffffff) << 8 >>> 0)}/24`;
    }
    case 'domain':
      return `${NOUNS[j % NOUNS.length]}-${b36(j)}.${TLDS[hash32(j) % TLDS.length]}`;
    case 'url':
      return `https://${ADJS[j % ADJS.length]}-${b36(j)}.${TLDS[hash32(j) % TLDS.length]}/${NOUNS[hash32(j) % NOUNS.length]}/${b36(hash32(j ^ 5))}.php`;
    case 'email':
      return `${FIRST[j % FIRST.length]}.${b36(j)}@${BRANDS[hash32(j) % BRANDS.length]}-mail.${TLDS[hash32(j) % TLDS.length]}`;
    case 'md5':
      return createHash('md5').update(`o${j}`).digest('hex');
    case 'sha1':
      return createHash('sha1').update(`o${j}`).digest('hex');
    case 'sha256':
      return createHash('sha256').update(`o${j}`).digest('hex');
    case 'filename':
      return `${zipf(NOUNS, (hash32(j) % 10000) / 10000)}_${b36(j)}.${EXTS[j % EXTS.length]}`;
    case 'asn':
      return `AS${j + 1000}`;
    case 'user-account':
      return `${FIRST[j % FIRST.length]}${b36(j)}`;
    default:
      return `artefact ${b36(j)} ${VERBS[j % VERBS.length]}`;
  }
}
const b16 = (n) => n.toString(16);

/** An address inside the j-th cidr observable (which must be a /24), and that network. */
export function addressInCidr(j) {
  const net = observableValue('cidr', j);
  const [addr] = net.split('/');
  const parts = addr.split('.');
  parts[3] = '77';
  return { net, address: parts.join('.') };
}

// ---------------------------------------------------------------------------------------------
// The event log

const KIND_MIX = [
  ['incident.note_added', 30], ['incident.status_changed', 15], ['observable.added', 10], ['task.created', 10], ['task.updated', 6],
  ['task.note_added', 6], ['incident.updated', 5], ['incident.key_time_set', 5], ['incident.role_assigned', 5], ['incident.priority_changed', 3],
  ['incident.classified', 2], ['evidence.added', 2], ['incident.linked', 1],
  // What SLA clocks and KPIs read besides status changes: replies, assignments and recorded breaches.
  ['incident.communication', 2], ['incident.assigned', 1], ['sla.breached', 1],
];
const KIND_TABLE = KIND_MIX.flatMap(([k, w]) => Array(w).fill(k));

function eventData(kind, p, i, inc, r, seq) {
  switch (kind) {
    case 'incident.note_added':
      return { body: sentence(r, 8 + Math.floor(r() * 40)) + (i % SEARCH.RARE_EVERY === 13 && seq === 3 ? ` ${SEARCH.rare}` : '') };
    case 'task.note_added':
      return { taskId: uuidOf(9, i * 8 + (seq % 8)), title: `${zipf(VERBS, r())} ${zipf(NOUNS, r())}`, body: sentence(r, 6 + Math.floor(r() * 20)) };
    case 'incident.status_changed':
      return { from: OPEN_STATUSES[seq % 5], to: OPEN_STATUSES[(seq % 5) + 1] };
    case 'observable.added': {
      const o = hash32(i * 31 + seq) % p.counts.observables;
      return { items: [{ id: uuidOf(TAG.observable, o), type: 'ipv4', value: observableValue('ipv4', o % p.blocks[0].n) }] };
    }
    case 'task.created':
      return { taskId: uuidOf(9, i * 8 + (seq % 8)), title: `${zipf(VERBS, r())} ${zipf(ADJS, r())} ${zipf(NOUNS, r())}`, phase: 'analysis', assigneeId: null, dueAt: null };
    case 'task.updated':
      return { taskId: uuidOf(9, i * 8 + (seq % 8)), title: `${zipf(NOUNS, r())} review`, changes: { status: { from: 'open', to: 'done' } } };
    case 'incident.updated':
      return { changes: { summary: { from: 'draft', to: 'revised' } } };
    case 'incident.key_time_set':
      return { name: 'detectedAt', from: null, to: iso(createdAt(p, i)) };
    case 'incident.role_assigned': {
      const u = p.users[(i + seq) % p.users.length];
      return { role: 'analyst', userId: u.id, username: u.username };
    }
    case 'incident.priority_changed':
      return { from: 'P3', to: inc.priority };
    case 'incident.classified':
      return { from: [], to: [{ class: inc.pair.cls, type: inc.pair.type, primary: true }] };
    case 'incident.communication':
      return { direction: seq % 3 ? 'outbound' : 'inbound', channel: 'email', party: 'Reporter', body: sentence(r, 6 + Math.floor(r() * 20)) };
    case 'incident.assigned': {
      const u = p.users[(i + seq) % p.users.length];
      return { from: null, to: { id: u.id, username: u.username } };
    }
    case 'sla.breached':
      return { metric: ['acknowledge', 'first_response', 'containment', 'resolution'][seq % 4], deadline: iso(createdAt(p, i) + 3_600_000), targetMinutes: 60 };
    case 'evidence.added':
      return { id: uuidOf(10, i * 8 + (seq % 8)), filename: `mail-${seq}.eml`, size: 20_000 + seq, sha256: hex8(hash32(i)).repeat(8) };
    default:
      return { kind: 'related', other: { id: uuidOf(TAG.incident, (i + 1) % p.N), reference: 'VIG-2026-00001' } };
  }
}

function eventLine(p, i, inc, kind, atMs, r, seq) {
  inc.uuid ??= uuidOf(TAG.incident, i);
  const actor = seq === 0 ? inc.creator : p.users[hash32(i + seq) % p.users.length];
  const tlp = kind === 'incident.note_added' || kind === 'task.note_added' || kind === 'observable.added' || kind === 'evidence.added' ? inc.tlp : N_;
  let data;
  if (kind === 'incident.declared') {
    data = { reference: 'see incident', title: 'declared', priority: inc.priority, tlp: inc.tlp, classifications: [{ class: inc.pair.cls, type: inc.pair.type, primary: true }] };
  } else if (kind === 'incident.closed') {
    data = { from: 'recovery', resolution: 'resolved', duplicateOf: null, duplicateOfReference: null };
  } else {
    data = eventData(kind, p, i, inc, r, seq);
  }
  return `${inc.uuid}\t${kind}\t${iso(atMs)}\t${kind === 'incident.key_time_set' ? iso(atMs - 3_600_000) : N_}\t${actor.id}\t${actor.username}\t${tlp}\t${esc(JSON.stringify(data))}`;
}

/**
 * All events: each incident's in turn (declared first, closed last for closed incidents), with the
 * big incident's 500 entries spread evenly through the whole log (a months-long investigation).
 */
function* eventRows(p) {
  const E = p.counts.events;
  const BIG = 500;
  const others = p.N - 1;
  const mean = (E - BIG) / others;
  let emitted = 0;
  let bigDone = 0;
  const stride = Math.max(1, Math.floor((E - BIG) / BIG));
  const bigInc = incidentOf(p, p.big);
  const bigR = prng(0xb16);
  const bigStart = createdAt(p, p.big);
  let k = 0; // position among the other incidents (for exact totals)
  let carry = 0;
  for (let i = 0; i < p.N; i++) {
    if (i === p.big) continue;
    // Pairs of incidents trade a random amount, so counts vary while the total stays exact.
    const target = Math.round((k + 1) * mean) - Math.round(k * mean);
    let c;
    if (k % 2 === 0 && k + 1 < others) {
      carry = Math.floor(hash32(i ^ 0xe7) % Math.max(1, Math.floor(target * 0.8)));
      c = target + carry;
    } else {
      c = target - carry;
      carry = 0;
    }
    k++;
    c = Math.max(1, c);
    const inc = incidentOf(p, i);
    const r = prng(hash32(i) ^ 0xe0e0);
    const t0 = createdAt(p, i);
    for (let s = 0; s < c; s++) {
      const kind = s === 0 ? 'incident.declared' : !inc.open && s === c - 1 ? 'incident.closed' : KIND_TABLE[Math.floor(r() * KIND_TABLE.length)];
      yield eventLine(p, i, inc, kind, t0 + s * 1_200_000, r, s);
      emitted++;
      if (emitted % stride === 0 && bigDone < BIG) {
        const kind2 = bigDone === 0 ? 'incident.declared' : KIND_TABLE[Math.floor(bigR() * KIND_TABLE.length)];
        yield eventLine(p, p.big, bigInc, kind2 === 'incident.linked' ? 'incident.note_added' : kind2, bigStart + bigDone * 3_600_000, bigR, bigDone);
        bigDone++;
      }
    }
  }
  while (bigDone < BIG) {
    yield eventLine(p, p.big, bigInc, 'incident.note_added', bigStart + bigDone * 3_600_000, bigR, bigDone);
    bigDone++;
  }
}
