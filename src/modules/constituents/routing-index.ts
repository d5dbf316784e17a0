import type { Executor } from '../../db/index.ts';
import { fastV4, fastV6, parseAddress, parseCidr, type Addr } from '../../lib/ip.ts';
import { emailDomain, normalizeDomain, parseAsn } from './names.ts';
import { constituentRepo } from './repo.ts';

export type RouteRule = 'netblock' | 'domain' | 'email_domain' | 'asn';

/** Which constituent a value belongs to, and by which of its rules. */
export interface RouteMatch {
  constituentId: string;
  rule: RouteRule;
  /** The netblock, domain, e-mail domain or AS number that matched. */
  matched: string;
}

export type RouteQuery = { address: string } | { domain: string } | { email: string } | { asn: string | number };

const mask = (len: number, i: number) => {
  const bits = len - i * 32;
  return bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
};

/**
 * An open-addressing hash table of fixed-width keys (1 word for IPv4, 4 for IPv6) held in typed
 * arrays: no per-entry objects and no boxed numbers, so a probe is a few array reads.
 */
class WordTable {
  readonly keys: Int32Array;
  readonly vals: Int32Array;
  readonly shift: number;
  readonly mask: number;
  readonly stride: 1 | 4;
  constructor(stride: 1 | 4, count: number) {
    this.stride = stride;
    let bits = 4;
    while (1 << bits < count * 2) bits++;
    this.keys = new Int32Array((1 << bits) * stride);
    this.vals = new Int32Array(1 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
  }
  static hash(a: number, b: number, c: number, d: number) {
    return Math.imul(a ^ Math.imul(b ^ Math.imul(c ^ Math.imul(d, 0x85ebca6b), 0xc2b2ae35), 0x27d4eb2f), 0x9e3779b1);
  }
  /** Sets key -> value (value >= 1; 0 marks an empty slot). */
  set(w: number[], value: number) {
    const s = this.stride;
    let h = WordTable.hash(w[0]! | 0, (w[1] ?? 0) | 0, (w[2] ?? 0) | 0, (w[3] ?? 0) | 0) >>> this.shift;
    for (;;) {
      if (this.vals[h] === 0 || this.keys.subarray(h * s, h * s + s).every((k, i) => k === (w[i]! | 0))) {
        for (let i = 0; i < s; i++) this.keys[h * s + i] = w[i]! | 0;
        this.vals[h] = value;
        return;
      }
      h = (h + 1) & this.mask;
    }
  }
}

interface Pending {
  words: number[][];
  matches: RouteMatch[];
}

/**
 * The routing rules held in memory: IPv4 and IPv6 networks in one open-addressing hash table per
 * prefix length (key: the masked address words), and only the prefix lengths in use are tried,
 * longest first. Domains, e-mail domains and ASNs are hash maps; a domain is matched by its
 * longest stored suffix.
 */
export class RoutingTable {
  private pending4 = new Map<number, Pending>();
  private pending6 = new Map<number, Pending>();
  private v4Masks = new Int32Array(0);
  private v4Tables: WordTable[] = [];
  private v6Masks = new Int32Array(0);
  private v6Tables: WordTable[] = [];
  private matches: RouteMatch[] = [];
  private dirty = false;
  private web = new Map<string, RouteMatch>();
  private mail = new Map<string, RouteMatch>();
  private asns = new Map<number, RouteMatch>();
  private scratch = new Uint32Array(4);
  size = 0;

  addNetblock(cidr: string, constituentId: string) {
    const r = parseCidr(cidr);
    if (!r.ok) return;
    const n = r.net;
    const byLen = n.v === 4 ? this.pending4 : this.pending6;
    let p = byLen.get(n.len);
    if (!p) byLen.set(n.len, (p = { words: [], matches: [] }));
    p.words.push(n.w);
    p.matches.push({ constituentId, rule: 'netblock', matched: cidr });
    this.size++;
    this.dirty = true;
  }

  /** Builds the per-length tables, longest prefix first (once after adding, on the first lookup). */
  private finish() {
    this.matches = [];
    const build = (byLen: Map<number, Pending>, stride: 1 | 4) => {
      const lens = [...byLen.keys()].sort((a, b) => b - a);
      const masks = new Int32Array(lens.length * stride);
      const tables = lens.map((len, li) => {
        for (let i = 0; i < stride; i++) masks[li * stride + i] = mask(len, i) | 0;
        const p = byLen.get(len)!;
        const t = new WordTable(stride, p.words.length);
        p.words.forEach((w, i) => {
          this.matches.push(p.matches[i]!);
          t.set(w, this.matches.length);
        });
        return t;
      });
      return { masks, tables };
    };
    const a = build(this.pending4, 1);
    this.v4Masks = a.masks;
    this.v4Tables = a.tables;
    const b = build(this.pending6, 4);
    this.v6Masks = b.masks;
    this.v6Tables = b.tables;
    this.dirty = false;
  }

  addDomain(kind: 'web' | 'email', domain: string, constituentId: string) {
    (kind === 'web' ? this.web : this.mail).set(domain, { constituentId, rule: kind === 'web' ? 'domain' : 'email_domain', matched: domain });
  }

  addAsn(asn: number, constituentId: string) {
    this.asns.set(asn, { constituentId, rule: 'asn', matched: `AS${asn}` });
  }

  /** Longest-prefix match of an IPv4 address (one 32-bit word). */
  lookupV4(x: number): RouteMatch | null {
    if (this.dirty) this.finish();
    const masks = this.v4Masks;
    for (let i = 0; i < masks.length; i++) {
      const t = this.v4Tables[i]!;
      const k = x & masks[i]!;
      let h = WordTable.hash(k, 0, 0, 0) >>> t.shift;
      for (let v = t.vals[h]!; v !== 0; h = (h + 1) & t.mask, v = t.vals[h]!) {
        if (t.keys[h] === k) return this.matches[v - 1]!;
      }
    }
    return null;
  }

  /** Longest-prefix match of an IPv6 address (four 32-bit words). */
  lookupV6(x0: number, x1: number, x2: number, x3: number): RouteMatch | null {
    if (this.dirty) this.finish();
    const m = this.v6Masks;
    for (let i = 0; i < this.v6Tables.length; i++) {
      const t = this.v6Tables[i]!;
      const w0 = x0 & m[4 * i]!, w1 = x1 & m[4 * i + 1]!, w2 = x2 & m[4 * i + 2]!, w3 = x3 & m[4 * i + 3]!;
      const keys = t.keys;
      let h = WordTable.hash(w0, w1, w2, w3) >>> t.shift;
      for (let v = t.vals[h]!; v !== 0; h = (h + 1) & t.mask, v = t.vals[h]!) {
        const o = 4 * h;
        if (keys[o] === w0 && keys[o + 1] === w1 && keys[o + 2] === w2 && keys[o + 3] === w3) return this.matches[v - 1]!;
      }
    }
    return null;
  }

  lookupAddr(a: Addr): RouteMatch | null {
    return a.v === 4 ? this.lookupV4(a.w[0]!) : this.lookupV6(a.w[0]!, a.w[1]!, a.w[2]!, a.w[3]!);
  }

  /** An address as text: the allocation-free parsers first, the reference parser for anything else. */
  lookupAddress(text: string): RouteMatch | null {
    const x = fastV4(text);
    if (x >= 0) return this.lookupV4(x);
    const w = this.scratch;
    if (fastV6(text, w)) return this.lookupV6(w[0]!, w[1]!, w[2]!, w[3]!);
    const a = parseAddress(text);
    return a ? this.lookupAddr(a) : null;
  }

  private bySuffix(map: Map<string, RouteMatch>, domain: string): RouteMatch | null {
    let d = domain;
    for (;;) {
      const hit = map.get(d);
      if (hit) return hit;
      const i = d.indexOf('.');
      if (i < 0) return null;
      d = d.slice(i + 1);
    }
  }

  /** The answer for one query; null when nothing matches or the value is not valid. */
  lookup(q: RouteQuery): RouteMatch | null {
    if ('address' in q) return this.lookupAddress(q.address);
    if ('domain' in q) {
      const d = normalizeDomain(q.domain);
      return d ? this.bySuffix(this.web, d) : null;
    }
    if ('email' in q) {
      const d = emailDomain(q.email);
      return d ? (this.bySuffix(this.mail, d) ?? this.bySuffix(this.web, d)) : null;
    }
    const n = parseAsn(q.asn);
    return n === null ? null : (this.asns.get(n) ?? null);
  }
}

/**
 * The routing table of this process, built from the database and rebuilt when the constituency
 * version (bumped in every change transaction, by any process) has moved. A change made through
 * this process marks it stale at once; changes by other processes are noticed within checkMs.
 */
export function createRoutingIndex(d: { db: Executor; checkMs?: number; now?: () => number }) {
  const checkMs = d.checkMs ?? 1000;
  const now = d.now ?? Date.now;
  let table = new RoutingTable();
  let version = -1;
  let checkedAt = -Infinity;
  let pending: Promise<void> | null = null;

  async function refresh() {
    const current = await constituentRepo.stateVersion(d.db);
    checkedAt = now();
    if (current === version) return;
    const next = new RoutingTable();
    const rules = await constituentRepo.allRules(d.db);
    for (const n of rules.netblocks) next.addNetblock(n.net, n.constituentId);
    for (const x of rules.domains) next.addDomain(x.kind, x.domain, x.constituentId);
    for (const a of rules.asns) next.addAsn(Number(a.asn), a.constituentId);
    table = next;
    version = current;
  }

  return {
    /** Rebuilds the table if the stored version moved (checked at most every checkMs unless stale). */
    async fresh(): Promise<RoutingTable> {
      if (now() - checkedAt >= checkMs) {
        pending ??= refresh().finally(() => (pending = null));
        await pending;
      }
      return table;
    },
    /** After a change in this process: the next fresh() checks the version at once. */
    markStale() {
      checkedAt = -Infinity;
    },
    get version() {
      return version;
    },
  };
}
export type RoutingIndex = ReturnType<typeof createRoutingIndex>;
