import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IdParam, RoleSchema, Username, UserViewSchema } from '../../lib/schemas.ts';
import type { UserService } from './service.ts';

const tags = ['users'];
const One = z.object({ user: UserViewSchema });
const ConstituentIds = z.array(z.uuid()).max(200)
  .describe("the constituents the account is limited to (a team member; empty: unscoped, sees everything) or belongs to (a reporter: it follows their reports)");
const AdminView = UserViewSchema.extend({ constituentIds: z.array(z.uuid()) }).meta({ id: 'UserAdminView' });
const AdminOne = z.object({ user: AdminView });
const Email = z.email().max(254).nullable();
const Organisation = z.string().trim().min(1).max(200).nullable().describe("a reporter's constituent organisation: it follows that organisation's reports");

// Not 'TeamMember': that id is the team directory's record (src/modules/directory/schemas.ts); two
// schemas under one id make the OpenAPI document describe one of them with the other's shape.
const TeamMember = z
  .object({ id: z.uuid(), username: z.string(), displayName: z.string(), roles: z.array(RoleSchema), disabled: z.boolean() })
  .meta({ id: 'Colleague' });

export const userRoutes: FastifyPluginAsyncZod<{ users: UserService }> = async (app, { users }) => {
  app.get('/team-members', {
    schema: {
      operationId: 'team_members.list', tags,
      summary: 'The team (accounts with a team role), to choose a colleague: id, username, display name, roles. Every team role may read it; reporters may not',
      response: { 200: z.object({ items: z.array(TeamMember) }) },
    },
  }, async (req) => ({ items: await users.teamMembers(actorOf(req)) }));

  app.get('/users', {
    schema: { operationId: 'users.list', tags, summary: 'All accounts', response: { 200: z.object({ items: z.array(AdminView) }) } },
  }, async (req) => ({ items: await users.list(actorOf(req)) }));

  app.post('/users', {
    schema: {
      operationId: 'users.create', tags, summary: 'Create an account with a temporary password',
      body: z.object({
        username: Username,
        displayName: z.string().trim().min(1).max(120),
        email: Email.optional(),
        organisation: Organisation.optional(),
        roles: z.array(RoleSchema).max(5),
        constituentIds: ConstituentIds.optional(),
      }),
      response: { 201: z.object({ user: AdminView, temporaryPassword: z.string().nullable() }) },
    },
  }, async (req, reply) => reply.code(201).send(await users.create(actorOf(req), req.body)));

  app.get('/users/:id', {
    schema: { operationId: 'users.get', tags, summary: 'One account', params: IdParam, response: { 200: AdminOne } },
  }, async (req) => ({ user: await users.get(actorOf(req), req.params.id) }));

  app.patch('/users/:id', {
    schema: {
      operationId: 'users.update', tags, summary: 'Change display name, e-mail, organisation, roles or constituents', params: IdParam,
      body: z.object({
        displayName: z.string().trim().min(1).max(120).optional(),
        email: Email.optional(),
        organisation: Organisation.optional(),
        roles: z.array(RoleSchema).max(5).optional(),
        constituentIds: ConstituentIds.optional(),
      }).refine((b) => Object.keys(b).length > 0, 'names nothing to change'),
      response: { 200: AdminOne },
    },
  }, async (req) => ({ user: await users.update(actorOf(req), req.params.id, req.body) }));

  app.post('/users/:id/disable', {
    schema: { operationId: 'users.disable', tags, summary: 'Disable an account: its sessions and tokens end at once', params: IdParam, response: { 200: One } },
  }, async (req) => ({ user: await users.disable(actorOf(req), req.params.id) }));

  app.post('/users/:id/enable', {
    schema: { operationId: 'users.enable', tags, summary: 'Enable a disabled account', params: IdParam, response: { 200: One } },
  }, async (req) => ({ user: await users.enable(actorOf(req), req.params.id) }));

  app.post('/users/:id/reset-password', {
    schema: {
      operationId: 'users.reset_password', tags, summary: 'Set a temporary password (shown once) and end sessions', params: IdParam,
      response: { 200: z.object({ temporaryPassword: z.string().nullable() }) },
    },
  }, async (req) => users.resetPassword(actorOf(req), req.params.id));

  app.post('/users/:id/reset-mfa', {
    schema: { operationId: 'users.reset_mfa', tags, summary: 'Remove an account\'s second factor', params: IdParam, response: { 200: One } },
  }, async (req) => ({ user: await users.resetMfa(actorOf(req), req.params.id) }));
};
