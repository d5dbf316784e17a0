import type { Db, Executor } from '../../db/index.ts';
import type { Level } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { CsvSyntaxError, parseCsv, toCsv } from '../../lib/csv.ts';
import { constituentRepo, type Children } from './repo.ts';
import type { RoutingIndex } from './routing-index.ts';
import { audited } from './service.ts';
import { childrenOf } from './validate.ts';
import { seesConstituent } from '../../lib/authz/incidents.ts';

/** The CSV columns, in order (docs/constituents.md describes each). */
export const CSV_COLUMNS = ['name', 'parent', 'sector', 'criticality', 'netblocks', 'asns', 'domains', 'email_domains', 'security_email', 'abuse_email', 'notes'] as const;
export const IMPORT_MAX_ROWS = 5000;
const LEVELS = ['low', 'medium', 'high', 'critical'];

interface Row {
  line: number;
  name: string;
  parent: string;
  sector: string;
  criticality: Level;
  notes: string;
  children: Pick<Children, 'netblocks' | 'asns' | 'domains' | 'emailDomains'>;
  contacts: { kind: 'security' | 'abuse'; email: string }[];
}

type RowError = { row: number; column?: string; message: string };

const list = (s: string | undefined) => (s ?? '').split(/[\s;]+/).map((x) => x.trim()).filter(Boolean);
/** A value exported with the formula guard comes back as written. */
const unguard = (s: string | undefined) => (s ?? '').trim().replace(/^'(?=[=+\-@\t\r])/, '');

/** Reads and checks every row; throws VIG_CONSTITUENT_IMPORT_INVALID listing each bad row. */
async function readRows(text: string): Promise<Row[]> {
  let cells: string[][];
  try {
    cells = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new VigilError('VIG_CONSTITUENT_IMPORT_INVALID', { errors: [{ row: e.row, message: e.message }] });
    throw e;
  }
  const header = (cells.shift() ?? []).map((h) => h.trim().toLowerCase());
  const missing = ['name'].filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (missing.length || unknown.length) {
    throw new VigilError('VIG_CONSTITUENT_IMPORT_INVALID', {
      errors: [{ row: 1, message: `${missing.length ? `missing column ${missing.join(', ')}; ` : ''}${unknown.length ? `unknown column ${unknown.join(', ')}; ` : ''}expected ${CSV_COLUMNS.join(',')}` }],
    });
  }
  if (cells.length > IMPORT_MAX_ROWS) throw new VigilError('VIG_CONSTITUENT_IMPORT_INVALID', { errors: [{ row: IMPORT_MAX_ROWS + 2, message: `at most ${IMPORT_MAX_ROWS} rows per import` }] });
  const errors: RowError[] = [];
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of cells.entries()) {
    const line = i + 2;
    const get = (c: string) => unguard(raw[header.indexOf(c)]);
    const name = get('name');
    const criticality = (get('criticality') || 'medium').toLowerCase();
    if (!name || name.length > 200) { errors.push({ row: line, column: 'name', message: 'a name of 1 to 200 characters is required' }); continue; }
    if (seen.has(name.toLowerCase())) { errors.push({ row: line, column: 'name', message: `"${name}" is already on row ${seen.get(name.toLowerCase())}` }); continue; }
    seen.set(name.toLowerCase(), line);
    if (!LEVELS.includes(criticality)) { errors.push({ row: line, column: 'criticality', message: 'one of low, medium, high, critical' }); continue; }
    const contacts: Row['contacts'] = [];
    for (const kind of ['security', 'abuse'] as const) {
      const email = get(`${kind}_email`);
      if (email && !/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(email)) errors.push({ row: line, column: `${kind}_email`, message: 'not an e-mail address' });
      else if (email) contacts.push({ kind, email });
    }
    try {
      const c = await childrenOf({ name, netblocks: list(get('netblocks')), asns: list(get('asns')), domains: list(get('domains')), emailDomains: list(get('email_domains')) });
      rows.push({ line, name, parent: get('parent'), sector: get('sector').slice(0, 100), criticality: criticality as Level, notes: get('notes').slice(0, 5000), children: c, contacts });
    } catch (e) {
      if (!(e instanceof VigilError)) throw e;
      const dt = e.detail as { field?: string; value?: string; reason?: string; errors?: { message: string }[] };
      errors.push({ row: line, column: dt.field === 'emailDomains' ? 'email_domains' : (dt.field ?? 'asns'), message: dt.reason ?? (dt.value ? `"${dt.value}" is not valid` : (dt.errors?.[0]?.message ?? e.message)) });
    }
  }
  // The same netblock, domain or ASN on two rows.
  const owner = new Map<string, number>();
  for (const r of rows) {
    const keys = [...r.children.netblocks.map((n) => `netblocks ${n}`), ...r.children.domains.map((x) => `domains ${x}`), ...r.children.emailDomains.map((x) => `email_domains ${x}`), ...r.children.asns.map((a) => `asns ${a}`)];
    for (const k of keys) {
      const first = owner.get(k);
      if (first) errors.push({ row: r.line, column: k.split(' ')[0]!, message: `${k.split(' ')[1]} is also on row ${first}` });
      else owner.set(k, r.line);
    }
  }
  for (const r of rows) if (r.parent && r.parent.toLowerCase() === r.name.toLowerCase()) errors.push({ row: r.line, column: 'parent', message: 'a constituent cannot be its own parent' });
  if (errors.length) throw new VigilError('VIG_CONSTITUENT_IMPORT_INVALID', { errors: errors.sort((a, b) => a.row - b.row).slice(0, 200) });
  return rows;
}

const COLUMN_OF: Record<string, string> = { netblock: 'netblocks', asn: 'asns', domain: 'domains', email_domain: 'email_domains' };

/** Finds or creates the constituent of each row; the routing lists of existing ones are cleared for replacing. */
async function upsertAll(tx: Executor, rows: Row[], now: Date) {
  const ids = new Map<string, string>();
  const befores = new Map<string, ReturnType<typeof audited> | null>();
  let created = 0;
  for (const r of rows) {
    const found = await constituentRepo.findByName(tx, r.name);
    if (found) {
      befores.set(found.id, audited(found, await constituentRepo.children(tx, found.id)));
      ids.set(r.name.toLowerCase(), found.id);
      for (const t of ['constituentNetblock', 'constituentAsn', 'constituentDomain'] as const) await tx.deleteFrom(t).where('constituentId', '=', found.id).execute();
    } else {
      const row = await constituentRepo.insert(tx, { name: r.name, sector: r.sector, criticality: r.criticality, notes: r.notes, createdAt: now, updatedAt: now, parentId: null });
      ids.set(r.name.toLowerCase(), row.id);
      befores.set(row.id, null);
      created++;
    }
  }
  return { ids, befores, created };
}

/** Writes each row's fields, lists and contacts; returns the rows' errors (ownership, unknown parents, cycles). */
async function applyRows(tx: Executor, rows: Row[], ids: Map<string, string>, now: Date): Promise<RowError[]> {
  const errors: RowError[] = [];
  for (const r of rows) {
    const id = ids.get(r.name.toLowerCase())!;
    for (const t of await constituentRepo.takenByOthers(tx, id, r.children)) errors.push({ row: r.line, column: COLUMN_OF[t.kind]!, message: `${t.value} belongs to ${t.ownerName}` });
    let parentId: string | null = null;
    if (r.parent) {
      parentId = ids.get(r.parent.toLowerCase()) ?? (await constituentRepo.findByName(tx, r.parent))?.id ?? null;
      if (!parentId) errors.push({ row: r.line, column: 'parent', message: `no constituent named "${r.parent}" here or in the file` });
    }
    if (errors.length) continue;
    const existing = await constituentRepo.children(tx, id);
    const added = r.contacts
      .filter((c) => !existing.contacts.some((e) => e.kind === c.kind && e.email?.toLowerCase() === c.email.toLowerCase()))
      .map((c) => ({ ...c, name: '', phone: null, pgpKey: null, pgpFingerprint: null, language: '', hours: '' }));
    await constituentRepo.replaceChildren(tx, id, { ...r.children, contacts: [...existing.contacts, ...added], agreements: existing.agreements });
    await constituentRepo.update(tx, id, { parentId, sector: r.sector, criticality: r.criticality, notes: r.notes, updatedAt: now });
  }
  if (errors.length) return errors;
  for (const r of rows) {
    const up = await constituentRepo.ancestors(tx, ids.get(r.name.toLowerCase())!);
    if (new Set(up).size !== up.length) errors.push({ row: r.line, column: 'parent', message: 'the parents make a cycle' });
  }
  return errors;
}

/** CSV import (all or nothing) and export of constituents with their routing data. */
export function createConstituentTransferService(d: { db: Db; audit: AuditService; clock: Clock; index: RoutingIndex }) {
  return {
    async exportCsv(actor: Actor): Promise<string> {
      authorize(actor, 'constituent.read');
      const out: (string | number | null)[][] = [[...CSV_COLUMNS]];
      for (const c of (await constituentRepo.all(d.db)).filter((row) => seesConstituent(actor, row.id))) {
        const k = await constituentRepo.children(d.db, c.id);
        const email = (kind: string) => k.contacts.find((x) => x.kind === kind && x.email)?.email ?? '';
        out.push([c.name, c.parentName, c.sector, c.criticality, k.netblocks.join(' '), k.asns.join(' '), k.domains.join(' '), k.emailDomains.join(' '), email('security'), email('abuse'), c.notes]);
      }
      return toCsv(out);
    },

    /**
     * Creates or updates (by name) one constituent per row: fields and routing lists are replaced,
     * a security/abuse e-mail is added as a contact unless one of that kind has it already.
     * Nothing is written unless every row is good.
     */
    async importCsv(actor: Actor, text: string) {
      authorize(actor, 'constituent.manage');
      const rows = await readRows(text);
      const result = await d.db.transaction().execute(async (tx) => {
        const now = d.clock.now();
        const { ids, befores, created } = await upsertAll(tx, rows, now);
        const errors = await applyRows(tx, rows, ids, now);
        if (errors.length) throw new VigilError('VIG_CONSTITUENT_IMPORT_INVALID', { errors: errors.slice(0, 200) });
        await constituentRepo.bumpVersion(tx);
        for (const [id, before] of befores) {
          const row = (await constituentRepo.findById(tx, id))!;
          const after = { ...audited(row, await constituentRepo.children(tx, id)), via: 'csv import' };
          await d.audit.record(tx, actor, { action: before ? 'constituent.updated' : 'constituent.created', entity: 'constituent', entityId: id, ...(before ? { before } : {}), after });
        }
        return { created, updated: rows.length - created };
      });
      d.index.markStale();
      return result;
    },
  };
}
export type ConstituentTransferService = ReturnType<typeof createConstituentTransferService>;
