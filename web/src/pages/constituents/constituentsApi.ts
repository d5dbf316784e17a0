// Constituents: the API's shapes (generated, schema.gen.ts), the query keys, and how a problem is
// told to the user.
import { ApiError } from '../../api/client';
import type { Answer, ItemOf, Schema } from '../../api/schema';

export type ConstituentSummary = Schema<'ConstituentSummary'>;
export type Constituent = Schema<'Constituent'>;
export type Level = Constituent['criticality'];
export type ConstituentContact = ItemOf<Constituent['contacts']>;
export type ContactKind = ConstituentContact['kind'];
/** A contact in the editor: as the API sends it, less the key's fingerprint (the server derives it). */
export type ContactDraft = Omit<ConstituentContact, 'pgpFingerprint'>;
export type Agreement = ItemOf<Constituent['agreements']>;
export type Overlap = ItemOf<Constituent['warnings']>;
export type RouteAnswer = Answer<'constituents.route'>;

export const LEVELS: Level[] = ['low', 'medium', 'high', 'critical'];
export const CONTACT_KINDS: ContactKind[] = ['security', 'abuse', 'management', 'technical', 'legal'];
export const LEVEL_COLORS: Record<Level, string> = { low: 'gray', medium: 'blue', high: 'orange', critical: 'red' };
export const CONSTITUENTS_KEY = ['constituents'];

export const RULE_LABELS: Record<string, string> = { netblock: 'netblock', domain: 'domain', email_domain: 'e-mail domain', asn: 'AS number' };

/** What to route: an e-mail address, an IP address, an AS number, or else a domain (a URL's host). */
export function routeQuery(text: string): string | null {
  const v = text.trim();
  if (!v) return null;
  if (v.includes('@')) return `email=${encodeURIComponent(v)}`;
  if (/^(as)?\d{1,10}$/i.test(v)) return `asn=${encodeURIComponent(v)}`;
  if (/^[\d.]+$/.test(v) || v.includes(':') && !v.includes('/')) return `address=${encodeURIComponent(v.replace(/^\[|\]$/g, ''))}`;
  let host = v;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) host = new URL(v).hostname.replace(/^\[|\]$/g, '');
  } catch {
    /* not a URL: taken as typed */
  }
  if (/^[\d.]+$/.test(host) || host.includes(':')) return `address=${encodeURIComponent(host)}`;
  return `domain=${encodeURIComponent(host)}`;
}

/** A constituent problem in plain words, with what the server said about it. */
export function problemText(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  const p = e.problem as { reason?: string; value?: string; owner?: { name: string }; kind?: string; network?: string; currentVersion?: number; field?: string };
  switch (e.code) {
    case 'VIG_CONSTITUENT_CIDR_INVALID': return `${p.value}: ${p.reason}${p.network ? ` (did you mean ${p.network}?)` : ''}`;
    case 'VIG_CONSTITUENT_ROUTE_TAKEN': return `${p.value} already belongs to ${p.owner?.name}. Remove it there first.`;
    case 'VIG_CONSTITUENT_PGP_KEY_INVALID': return `Contact ${Number(String(p.field).split('.')[1] ?? 0) + 1}: ${p.reason}`;
    case 'VIG_CONSTITUENT_DOMAIN_INVALID': return `${p.value} is not a domain name.`;
    case 'VIG_CONSTITUENT_VERSION_CONFLICT': return 'Someone changed this constituent meanwhile. Close the editor to see their version, then edit again.';
    case 'VIG_CONSTITUENT_PARENT_INVALID': return `Parent: ${p.reason}.`;
    case 'VIG_CONSTITUENT_EXISTS': return 'Another constituent already has this name.';
    default: return null;
  }
}
