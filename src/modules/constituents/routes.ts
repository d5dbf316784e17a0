import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import type { ConstituentService } from './service.ts';
import type { ConstituentTransferService } from './transfer.service.ts';

const tags = ['constituents'];
const LevelEnum = z.enum(['low', 'medium', 'high', 'critical']);
const ConstituentParam = z.object({ id: z.uuid() });
const text = (max: number) => z.string().max(max);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

const Contact = z.object({
  kind: z.enum(['security', 'abuse', 'management', 'technical', 'legal']),
  name: text(200).optional(),
  email: z.email().max(320).nullable().optional(),
  phone: z.string().regex(/^[+0-9 ()./-]{3,40}$/, 'digits, spaces and + ( ) . / - (3 to 40)').nullable().optional(),
  pgpKey: text(100_000).nullable().optional().describe('an ASCII-armored OpenPGP public key'),
  language: text(50).optional(),
  hours: text(200).optional().describe('when they can be reached, e.g. "Mon-Fri 08-18 CET" or "24/7"'),
});
const Agreement = z.object({
  kind: z.enum(['mou', 'sla']),
  reference: text(200).optional(),
  startsOn: date.nullable().optional(),
  endsOn: date.nullable().optional(),
  notes: text(2000).optional(),
});
const Fields = {
  name: z.string().trim().min(1).max(200),
  parentId: z.uuid().nullable().optional().describe('the organisation this is a unit of'),
  sector: text(100).optional(),
  criticality: LevelEnum.optional().describe('raises the impact suggested in triage to at least this'),
  notes: text(5000).optional(),
  netblocks: z.array(text(60)).max(10_000).optional().describe('IPv4 and IPv6 networks in CIDR notation'),
  asns: z.array(z.union([z.number().int().min(0).max(4294967295), z.string().regex(/^(AS|as)?\d{1,10}$/)])).max(1000).optional(),
  domains: z.array(text(253)).max(2000).optional().describe('each covers its subdomains'),
  emailDomains: z.array(text(253)).max(2000).optional(),
  contacts: z.array(Contact).max(100).optional(),
  agreements: z.array(Agreement).max(100).optional(),
};

const Overlap = z.object({ netblock: z.string(), other: z.string(), ownerId: z.uuid(), ownerName: z.string() })
  .describe('another constituent\'s network containing or inside one of these; allowed, the longest prefix wins');
const Summary = z.object({
  id: z.uuid(), name: z.string(), parentId: z.uuid().nullable(), parentName: z.string().nullable(), sector: z.string(), criticality: LevelEnum, notes: z.string(),
  createdAt: z.date(), updatedAt: z.date(), version: z.number().int(), netblockCount: z.number().int(), domainCount: z.number().int(), contactCount: z.number().int(),
}).meta({ id: 'ConstituentSummary' });
const Constituent = z.object({
  id: z.uuid(), name: z.string(), parentId: z.uuid().nullable(), parentName: z.string().nullable(), sector: z.string(), criticality: LevelEnum, notes: z.string(),
  createdAt: z.date(), updatedAt: z.date(), version: z.number().int(),
  units: z.array(z.object({ id: z.uuid(), name: z.string() })),
  netblocks: z.array(z.string()), asns: z.array(z.number().int()), domains: z.array(z.string()), emailDomains: z.array(z.string()),
  contacts: z.array(Contact.extend({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), pgpKey: z.string().nullable(), pgpFingerprint: z.string().nullable(), language: z.string(), hours: z.string() })),
  agreements: z.array(Agreement.extend({ reference: z.string(), startsOn: z.string().nullable(), endsOn: z.string().nullable(), notes: z.string() })),
  warnings: z.array(Overlap),
}).meta({ id: 'Constituent' });
const RouteAnswer = z.object({
  match: z.object({
    constituent: z.object({ id: z.uuid(), name: z.string(), criticality: LevelEnum, sector: z.string() }),
    rule: z.enum(['netblock', 'domain', 'email_domain', 'asn']), matched: z.string().describe('the netblock, domain or AS number that matched'),
  }).nullable(),
}).meta({ id: 'ConstituentRoute' });

/** Constituents, their routing data, contacts and agreements; routing lookups; CSV import and export. */
export const constituentRoutes: FastifyPluginAsyncZod<{ constituents: ConstituentService; transfer: ConstituentTransferService }> = async (app, { constituents, transfer }) => {
  app.get('/constituents', {
    schema: {
      operationId: 'constituents.list', tags, summary: 'Constituents by name; q searches names, sectors and domains',
      querystring: z.object({ q: z.string().trim().min(1).max(200).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
      response: { 200: z.array(Summary) },
    },
  }, async (req) => constituents.list(actorOf(req), { search: req.query.q, limit: req.query.limit }));

  app.post('/constituents', {
    schema: { operationId: 'constituents.create', tags, summary: 'Create a constituent with its netblocks, domains, ASNs, contacts and agreements', body: z.object(Fields), response: { 201: Constituent } },
  }, async (req, reply) => reply.code(201).send(await constituents.create(actorOf(req), req.body)));

  app.get('/constituents/route', {
    schema: {
      operationId: 'constituents.route', tags, summary: 'Whose is this address, domain, e-mail address or AS number? Exactly one of the four',
      querystring: z.object({ address: text(100).optional(), domain: text(253).optional(), email: text(320).optional(), asn: text(12).optional() })
        .refine((q) => [q.address, q.domain, q.email, q.asn].filter((v) => v !== undefined).length === 1, 'give exactly one of address, domain, email, asn'),
      response: { 200: RouteAnswer },
    },
  }, async (req) => {
    const q = req.query;
    return constituents.route(actorOf(req), q.address !== undefined ? { address: q.address } : q.domain !== undefined ? { domain: q.domain } : q.email !== undefined ? { email: q.email } : { asn: q.asn! });
  });

  app.get('/constituents/export', {
    schema: { operationId: 'constituents.export', tags, summary: 'All constituents as CSV (columns in docs/constituents.md)', response: { 200: z.string() } },
  }, async (req, reply) => {
    const body = await transfer.exportCsv(actorOf(req));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="constituents.csv"').send(body);
  });

  app.post('/constituents/import', {
    schema: {
      operationId: 'constituents.import', tags, summary: 'Create or update constituents from CSV, all or nothing; errors name their rows',
      body: z.object({ csv: z.string().min(1).max(5_000_000) }),
      response: { 200: z.object({ created: z.number().int(), updated: z.number().int() }) },
    },
  }, async (req) => transfer.importCsv(actorOf(req), req.body.csv));

  app.get('/constituents/:id', {
    schema: { operationId: 'constituents.get', tags, summary: 'A constituent with everything it owns, and overlap warnings', params: ConstituentParam, response: { 200: Constituent } },
  }, async (req) => constituents.get(actorOf(req), req.params.id));

  app.put('/constituents/:id', {
    schema: {
      operationId: 'constituents.update', tags, summary: 'Replace a constituent and its lists as a whole; 409 when version is not the current one', params: ConstituentParam,
      body: z.object({ ...Fields, version: z.number().int().min(1) }), response: { 200: Constituent },
    },
  }, async (req) => constituents.update(actorOf(req), req.params.id, req.body));

  app.delete('/constituents/:id', {
    schema: {
      operationId: 'constituents.delete', tags, summary: 'Delete a constituent and everything it owns (its units lose their parent)', params: ConstituentParam,
      querystring: z.object({ version: z.coerce.number().int().min(1) }), response: { 204: z.null() },
    },
  }, async (req, reply) => {
    await constituents.remove(actorOf(req), req.params.id, req.query.version);
    return reply.code(204).send(null);
  });
};
