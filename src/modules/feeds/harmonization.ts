import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { Tlp } from '../../db/schema.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { canonicalIp, isUnspecified, looseNetwork, parseAddress } from '../../lib/ip.ts';
import { TLP_ORDER } from '../../lib/tlp.ts';
import { canonicalRsit, RSIT } from '../incidents/index.ts';

/**
 * Vigil's own table of the IntelMQ event fields it accepts from machine feeds, and the cleaning of
 * their values (written from the facts of IntelMQ's event format: flat dotted keys, typed values).
 *
 * Rules of `harmonise`:
 * - A value that is null, undefined or blank text is no value: the field is left out, silently.
 * - A field whose value fails its type, or whose name is not in the table (and not under `extra.`),
 *   is dropped and named in `errors` with the reason; the rest of the event is kept (as IntelMQ
 *   drops the field and logs).
 * - The event itself is dropped (`event` null) only when what routing and triage need is missing:
 *   `classification.type` (after cleaning), or every one of the routing keys (`source.` or
 *   `destination.` `ip`, `network`, `fqdn`, `url`, `asn`). The reason is then in `errors` under the
 *   field name `event`.
 * - Networks: host bits are cleared (`192.0.2.5/24` becomes `192.0.2.0/24`), and a warning says so
 *   in `errors` with the field kept (its value is the normalised network). A bare address is a /32
 *   or /128 network. A /0 is refused.
 * - IP addresses: canonical text (IPv6 per RFC 5952); 0.0.0.0 and :: are refused; a de-fanged dot
 *   (`[.]`, `(.)`) is repaired, as in FQDNs and URLs.
 * - Classification: RSIT class/type. IntelMQ's `unauthorized-` spellings become RSIT's
 *   `unauthorised-`; its `blacklist`, `dga-domain`, `malware`, `proxy` and `tor` become `other`
 *   (class `other`), with the IntelMQ name kept in `extra.intelmq_classification_type`. The taxonomy
 *   is derived from the type; a given taxonomy that disagrees is an error and is replaced.
 * - Times come out as ISO 8601 UTC (`toISOString`). Input: ISO 8601 with a zone, epoch seconds (a
 *   number, or digits with an optional fraction), or `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` without a
 *   zone, read as UTC.
 * - TLP: the TLP 2.0 label without `TLP:` (CLEAR, GREEN, AMBER, AMBER+STRICT, RED), any case, with
 *   or without the prefix; TLP 1.0 WHITE becomes CLEAR.
 * - `extra` given as an object (or the JSON text of one) is spread into `extra.<key>` fields;
 *   `extra.*` values are any JSON. Any other `extra` is refused as an unknown field.
 */

/** The value types of event fields. */
export type FieldType =
  | 'string' | 'lowercase' | 'uppercase' | 'ip' | 'network' | 'port' | 'asn' | 'fqdn' | 'url' | 'country'
  | 'datetime' | 'accuracy' | 'float' | 'boolean' | 'taxonomy' | 'classification' | 'tlp' | 'md5' | 'sha1' | 'sha256' | 'base64';

const ENDPOINT: Record<string, FieldType> = {
  ip: 'ip', port: 'port', fqdn: 'fqdn', url: 'url', urlpath: 'string', reverse_dns: 'fqdn', network: 'network', asn: 'asn',
  as_name: 'string', 'geolocation.cc': 'country', 'geolocation.country': 'string', 'geolocation.city': 'string',
  'geolocation.region': 'string', 'geolocation.state': 'string', 'geolocation.latitude': 'float', 'geolocation.longitude': 'float',
  abuse_contact: 'lowercase', account: 'string', local_hostname: 'string', local_ip: 'ip', registry: 'uppercase',
  allocated: 'datetime', domain_suffix: 'fqdn', tor_node: 'boolean',
};

/** Every field Vigil accepts (besides `extra.*`), with its type. */
export const FIELDS: Readonly<Record<string, FieldType>> = {
  'classification.taxonomy': 'taxonomy',
  'classification.type': 'classification',
  'classification.identifier': 'string',
  ...Object.fromEntries(Object.entries(ENDPOINT).flatMap(([k, t]) => [[`source.${k}`, t], [`destination.${k}`, t]])),
  'time.source': 'datetime',
  'time.observation': 'datetime',
  'feed.name': 'string',
  'feed.provider': 'string',
  'feed.accuracy': 'accuracy',
  'feed.url': 'url',
  'feed.documentation': 'string',
  'feed.code': 'string',
  'malware.name': 'lowercase',
  'malware.version': 'string',
  'malware.hash.md5': 'md5',
  'malware.hash.sha1': 'sha1',
  'malware.hash.sha256': 'sha256',
  'protocol.transport': 'lowercase',
  'protocol.application': 'lowercase',
  'event_description.text': 'string',
  'event_description.url': 'url',
  'event_description.target': 'string',
  tlp: 'tlp',
  comment: 'string',
  status: 'string',
  screenshot_url: 'url',
  raw: 'base64',
};

/** A JSON value (what `extra.*` fields hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A cleaned event: flat dotted field names to values (`extra.*` to any JSON). */
export type HarmonisedEvent = Record<string, JsonValue>;

/** A field that was dropped or changed, or (field `event`) why the whole event was dropped. */
export interface FieldError {
  field: string;
  reason: string;
}

/** The fields of which at least one must survive for an event to be routed to a constituent. */
export const ROUTING_FIELDS = ['ip', 'network', 'fqdn', 'url', 'asn'].flatMap((k) => [`source.${k}`, `destination.${k}`]);

/** IntelMQ classification types that are not RSIT types, and the RSIT type each becomes. */
const INTELMQ_ALIASES: Record<string, string> = { blacklist: 'other', 'dga-domain': 'other', malware: 'other', proxy: 'other', tor: 'other' };

const CLASS_OF_TYPE = new Map(RSIT.flatMap((c) => c.types.map((t) => [t.value, c.value] as const)));
const CLASSES = new Set(RSIT.map((c) => c.value));

class Invalid extends Error {}
const fail = (reason: string): never => { throw new Invalid(reason); };
const MAX_TEXT = 65_536;

/** A value quoted for a message: text in JSON quotes (cut at 80 characters), other values as JSON. */
const show = (v: unknown): string => {
  if (typeof v !== 'string') return (JSON.stringify(v) ?? String(v)).slice(0, 80);
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
};

function text(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return fail(`${show(v)} is not text`);
  const s = v.trim();
  if (s.length > MAX_TEXT) fail(`is longer than ${MAX_TEXT} characters`);
  return s;
}

/** Repairs de-fanged dots (`[.]`, `(.)`, `{.}`, `[dot]`). */
export const refang = (s: string): string => s.replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.');

function ip(v: unknown): string {
  const s = refang(text(v));
  const canonical = canonicalIp(s);
  if (!canonical) return fail(`${show(s)} is not an IPv4 or IPv6 address`);
  if (isUnspecified(parseAddress(canonical)!)) fail(`${show(s)} is the unspecified address, not a host`);
  return canonical;
}

function integer(v: unknown, min: number, max: number, what: string): number {
  const s = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(text(v)) ? Number(text(v)) : NaN;
  if (!Number.isInteger(s) || s < min || s > max) fail(`${show(v)} is not ${what} (an integer ${min}–${max})`);
  return s;
}

/** A host name: lower case, no trailing dot, IDN as punycode, labels of letters, digits, hyphens (and underscores). */
export function cleanFqdn(v: unknown): string {
  const raw = refang(text(v)).replace(/\.$/, '');
  if (!raw) return fail('is empty');
  if (canonicalIp(raw)) fail(`${show(raw)} is an IP address, not a domain name`);
  const lower = raw.toLowerCase();
  // Plain ASCII names need no IDN mapping (the label checks below are the validation).
  const ascii = /^[a-z0-9_.-]+$/.test(lower) ? lower : domainToASCII(raw);
  if (!ascii) fail(`${show(raw)} is not a valid domain name`);
  if (ascii.length > 253) fail('is longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) fail(`${show(raw)} has a single label, not a fully qualified name`);
  for (const l of labels) {
    if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l)) fail(`${show(raw)} has an invalid label ${show(l)}`);
  }
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) fail(`${show(raw)} has an invalid top-level label`);
  return ascii;
}

/** A URL: de-fanged (`hxxp`, `[.]`, `[:]`), given `http://` when it has no scheme, parsed and written by WHATWG URL. */
export function cleanUrl(v: unknown): string {
  let s = refang(text(v)).replace(/^hxxp(s?)(?=:|\[:)/i, 'http$1').replace(/\[:\]/g, ':').replace(/\[:\/\/\]/g, '://');
  if (/\s/.test(s)) fail(`${show(s)} contains white space`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s)) s = `http://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(`${show(s)} is not a valid URL`);
  }
  if (!u.hostname && u.protocol !== 'file:') fail(`${show(s)} has no host`);
  if (/^https?:$/.test(u.protocol) && !canonicalIp(u.hostname.replace(/^\[|\]$/g, ''))) cleanFqdn(u.hostname);
  return u.href;
}

const ISO_ZONED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$/i;

/** The last time text read and its result: a feed's rows often repeat it (time.observation always does). */
let lastTime: { in: string; out: string } | null = null;

/** A time as an ISO 8601 UTC string (see the file's header for what is read). */
export function cleanTime(v: unknown): string {
  if (typeof v === 'string' && lastTime?.in === v) return lastTime.out;
  const out = readTime(v);
  if (typeof v === 'string') lastTime = { in: v, out };
  return out;
}

function readTime(v: unknown): string {
  let ms: number;
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d{9,11}(\.\d+)?\s*$/.test(v))) {
    ms = Number(v) * 1000;
    if (!Number.isFinite(ms) || ms < 0) fail(`${show(v)} is not a time`);
  } else {
    const s = text(v);
    const m = ISO_ZONED.exec(s);
    if (!m) return fail(`${show(s)} is not a time (ISO 8601, epoch seconds or YYYY-MM-DD HH:MM:SS)`);
    const [, y, mo, d, h, mi, sec = '00', frac = '', zone = 'Z'] = m;
    const z = /^(Z|UTC|GMT)$/i.test(zone) ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
    ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac.slice(0, 4)}${z}`);
    const back = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (Number.isNaN(ms) || back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) {
      fail(`${show(s)} is not a valid date and time`);
    }
  }
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) fail(`${show(v)} is out of range`);
  return d.toISOString();
}

/** A TLP 2.0 label (without the `TLP:` prefix) from any case, with or without it; WHITE becomes CLEAR. */
export function cleanTlp(v: unknown): Tlp {
  const s = text(v).toUpperCase().replace(/^TLP:\s*/, '').replace(/\s+/g, '');
  const t = s === 'WHITE' ? 'CLEAR' : s;
  if (!(TLP_ORDER as readonly string[]).includes(t)) fail(`${show(v)} is not a TLP 2.0 label`);
  return t as Tlp;
}

/**
 * An RSIT classification type from an RSIT or IntelMQ name: `{ type, class, alias }` where alias
 * is the IntelMQ name when it is not RSIT's.
 */
export function rsitType(v: unknown): { type: string; class: string; alias: string | null } {
  const s = canonicalRsit(text(v));
  const aliasOf = INTELMQ_ALIASES[s];
  const type = aliasOf ?? s;
  const cls = CLASS_OF_TYPE.get(type);
  if (!cls) return fail(`${show(v)} is not an RSIT classification type (nor an IntelMQ alias of one)`);
  return { type, class: cls, alias: aliasOf ? s : null };
}

function hex(v: unknown, len: number, name: string): string {
  const s = text(v).toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${len}}$`).test(s)) fail(`${show(v)} is not a ${name} (${len} hex digits)`);
  return s;
}

/** Cleans one value of a type; throws Invalid with the reason. `notes` collects warnings for a kept value. */
function clean(type: FieldType, v: unknown, notes: string[]): JsonValue {
  switch (type) {
    case 'string': return text(v);
    case 'lowercase': return text(v).toLowerCase();
    case 'uppercase': return text(v).toUpperCase();
    case 'ip': return ip(v);
    case 'network': {
      const s = refang(text(v));
      const c = looseNetwork(s);
      if (!c) return fail(`${show(s)} is not a network in CIDR notation`);
      if (c.prefix === 0) fail(`${show(s)} is the whole address space`);
      if (c.prefix === (c.version === 4 ? 32 : 128) && isUnspecified(parseAddress(c.network)!)) fail(`${show(s)} is the unspecified address`);
      const out = `${c.network}/${c.prefix}`;
      if (c.hadHostBits) notes.push(`${show(s)} had host bits set: normalised to ${out}`);
      return out;
    }
    case 'port': return integer(v, 0, 65535, 'a port');
    case 'asn': return integer(typeof v === 'string' ? v.trim().replace(/^AS\s*/i, '') : v, 0, 4294967295, 'an AS number');
    case 'fqdn': return cleanFqdn(v);
    case 'url': return cleanUrl(v);
    case 'country': {
      const s = text(v).toUpperCase();
      if (!/^[A-Z]{2}$/.test(s)) fail(`${show(v)} is not an ISO 3166 alpha-2 country code`);
      return s;
    }
    case 'datetime': return cleanTime(v);
    case 'accuracy': case 'float': {
      const n = typeof v === 'number' ? v : /^\s*-?\d+(\.\d+)?\s*$/.test(text(v)) ? Number(text(v)) : NaN;
      if (!Number.isFinite(n)) fail(`${show(v)} is not a number`);
      if (type === 'accuracy' && (n < 0 || n > 100)) fail(`${show(v)} is not an accuracy (0–100)`);
      return n;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      const s = text(v).toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      return fail(`${show(v)} is not true or false`);
    }
    case 'taxonomy': {
      const s = canonicalRsit(text(v));
      if (!CLASSES.has(s)) fail(`${show(v)} is not an RSIT class`);
      return s;
    }
    case 'classification': return rsitType(v).type;
    case 'tlp': return cleanTlp(v);
    case 'md5': return hex(v, 32, 'MD5 hash');
    case 'sha1': return hex(v, 40, 'SHA-1 hash');
    case 'sha256': return hex(v, 64, 'SHA-256 hash');
    case 'base64': {
      const s = text(v);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail('is not base64');
      return s;
    }
  }
}

function json(v: unknown, depth = 0): JsonValue {
  if (depth > 20) return fail('is nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail(`${String(v)} is not a JSON number`);
  if (Array.isArray(v)) return v.map((x) => json(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => [k, json(x, depth + 1)]));
  }
  return fail('is not JSON data');
}

/** `extra` as an object, or as the JSON text of one (as IntelMQ sometimes writes it); else null. */
function extraObject(v: unknown): Record<string, unknown> | null {
  let o = v;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try { o = JSON.parse(v); } catch { return null; }
  }
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
}

const EXTRA_KEY = /^extra\.[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * Checks and cleans a flat event (see the file's header for the rules). Returns the cleaned event,
 * or null when it cannot be routed, and every dropped field or change with its reason.
 */
export function harmonise(input: Record<string, unknown>): { event: HarmonisedEvent | null; errors: FieldError[] } {
  const event: HarmonisedEvent = {};
  const errors: FieldError[] = [];
  const entries: [string, unknown][] = [];
  for (const [k, v] of Object.entries(input)) {
    const extra = k === 'extra' ? extraObject(v) : null;
    if (extra) for (const [ek, ev] of Object.entries(extra)) entries.push([`extra.${ek}`, ev]);
    else entries.push([k, v]);
  }
  for (const [field, value] of entries) {
    if (isBlank(value)) continue;
    try {
      if (field.startsWith('extra.')) {
        if (!EXTRA_KEY.test(field)) fail('is not a valid extra field name');
        const j = json(value);
        if ((typeof j === 'string' ? j.length : canonicalJson(j).length) > MAX_TEXT) fail(`is larger than ${MAX_TEXT} characters of JSON`);
        event[field] = j;
        continue;
      }
      const type = FIELDS[field];
      if (!type) fail('is not a known field (put feed-specific data under extra.)');
      const notes: string[] = [];
      event[field] = clean(type!, value, notes);
      for (const reason of notes) errors.push({ field, reason });
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      errors.push({ field, reason: e.message });
    }
  }
  const given = input['classification.type'];
  if (typeof event['classification.type'] === 'string') {
    const t = rsitType(given);
    if (t.alias) event['extra.intelmq_classification_type'] = t.alias;
    if (event['classification.taxonomy'] !== undefined && event['classification.taxonomy'] !== t.class) {
      errors.push({ field: 'classification.taxonomy', reason: `${show(event['classification.taxonomy'])} does not hold type ${show(t.type)}: set to ${show(t.class)}` });
    }
    event['classification.taxonomy'] = t.class;
  } else {
    errors.push({ field: 'event', reason: 'classification.type is missing or invalid: the event is dropped' });
  }
  if (!ROUTING_FIELDS.some((f) => event[f] !== undefined)) {
    errors.push({ field: 'event', reason: `none of ${ROUTING_FIELDS.join(', ')} is present and valid: the event is dropped` });
  }
  return { event: errors.some((e) => e.field === 'event') ? null : event, errors };
}

/** One line per error: `field: reason`. */
export const describeErrors = (errors: FieldError[]): string => errors.map((e) => `${e.field}: ${e.reason}`).join('; ');

/**
 * The SHA-256 (hex) of an event's canonical JSON without `time.observation` and `raw`: the same
 * event collected twice hashes the same (idempotent intake).
 */
export function eventHash(event: HarmonisedEvent): string {
  const { 'time.observation': _o, raw: _r, ...rest } = event;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
