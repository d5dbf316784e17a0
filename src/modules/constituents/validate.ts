import * as openpgp from 'openpgp';
import type { Level } from '../../db/schema.ts';
import type { AgreementKind, ConstituentContactKind } from '../../db/schema-constituency.ts';
import { VigilError } from '../../lib/errors.ts';
import { formatNet, parseCidr } from '../../lib/ip.ts';
import { normalizeDomain, parseAsn } from './names.ts';
import type { Children } from './repo.ts';

export interface ContactInput {
  kind: ConstituentContactKind;
  name?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  pgpKey?: string | null | undefined;
  language?: string | undefined;
  hours?: string | undefined;
}

export interface AgreementInput {
  kind: AgreementKind;
  reference?: string | undefined;
  startsOn?: string | null | undefined;
  endsOn?: string | null | undefined;
  notes?: string | undefined;
}

export interface ConstituentInput {
  name: string;
  parentId?: string | null | undefined;
  sector?: string | undefined;
  criticality?: Level | undefined;
  notes?: string | undefined;
  netblocks?: string[] | undefined;
  asns?: (number | string)[] | undefined;
  domains?: string[] | undefined;
  emailDomains?: string[] | undefined;
  contacts?: ContactInput[] | undefined;
  agreements?: AgreementInput[] | undefined;
}

/** A network in its canonical text, or VIG_CONSTITUENT_CIDR_INVALID naming the value (and the network meant). */
export function canonicalCidr(value: string, field = 'netblocks'): string {
  const r = parseCidr(value);
  if (!r.ok) throw new VigilError('VIG_CONSTITUENT_CIDR_INVALID', { field, value, reason: r.reason, ...(r.network ? { network: r.network } : {}) });
  return formatNet(r.net);
}

export function canonicalDomain(value: string, field: string): string {
  const d = normalizeDomain(value);
  if (!d) throw new VigilError('VIG_CONSTITUENT_DOMAIN_INVALID', { field, value });
  return d;
}

/**
 * A contact's PGP key checked with OpenPGP.js: one armored public key (a private key is refused,
 * so it is never stored); its fingerprint is kept beside it.
 */
export async function checkPgpKey(armored: string, index: number): Promise<{ pgpKey: string; pgpFingerprint: string }> {
  const text = armored.trim();
  const fail = (reason: string) => new VigilError('VIG_CONSTITUENT_PGP_KEY_INVALID', { field: `contacts.${index}.pgpKey`, reason });
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(text)) throw fail('this is a private key: paste the public key only');
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: text });
  } catch (e) {
    throw fail(`not an OpenPGP public key: ${(e as Error).message.slice(0, 200)}`);
  }
  if (key.isPrivate()) throw fail('this is a private key: paste the public key only');
  return { pgpKey: text, pgpFingerprint: key.getFingerprint().toUpperCase() };
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** The children of a constituent as stored: canonical, de-duplicated, keys checked. */
export async function childrenOf(input: ConstituentInput): Promise<Children> {
  const netblocks = uniq((input.netblocks ?? []).map((v) => canonicalCidr(v)));
  const asns = uniq(
    (input.asns ?? []).map((v) => {
      const n = parseAsn(v);
      if (n === null) throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: 'asns', message: `"${String(v).slice(0, 40)}" is not an AS number` }] });
      return n;
    }),
  );
  const domains = uniq((input.domains ?? []).map((v) => canonicalDomain(v, 'domains')));
  const emailDomains = uniq((input.emailDomains ?? []).map((v) => canonicalDomain(v.replace(/^.*@/, ''), 'emailDomains')));
  const contacts = [];
  for (const [i, c] of (input.contacts ?? []).entries()) {
    const key = c.pgpKey?.trim() ? await checkPgpKey(c.pgpKey, i) : { pgpKey: null, pgpFingerprint: null };
    contacts.push({
      kind: c.kind, name: c.name?.trim() ?? '', email: c.email?.trim() || null, phone: c.phone?.trim() || null, ...key,
      language: c.language?.trim() ?? '', hours: c.hours?.trim() ?? '',
    });
  }
  const agreements = (input.agreements ?? []).map((a, i) => {
    if (a.startsOn && a.endsOn && a.endsOn < a.startsOn) {
      throw new VigilError('VIG_REQUEST_INVALID', { errors: [{ path: `agreements.${i}.endsOn`, message: 'ends before it starts' }] });
    }
    return { kind: a.kind, reference: a.reference?.trim() ?? '', startsOn: a.startsOn || null, endsOn: a.endsOn || null, notes: a.notes?.trim() ?? '' };
  });
  return { netblocks, asns, domains, emailDomains, contacts, agreements };
}
