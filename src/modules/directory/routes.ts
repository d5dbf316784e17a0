import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../lib/http.ts';
import { IncidentParam, IncidentRoleEnum } from '../incidents/index.ts';
import type { ContactService } from './contacts.service.ts';
import type { IncidentContactService } from './incident-contacts.service.ts';
import {
  Contact, ContactCreateBody, ContactList, ContactParam, ContactPatchBody, ContactQuery, ContactRoleParam, IncidentContact, Member, MemberList,
  MemberParam, MemberPatchBody, MemberQuery,
} from './schemas.ts';
import type { TeamService } from './team.service.ts';

const tags = ['directory'];

/** The team (seats, skills, how to reach each member), the external contact directory, and contacts in incident roles. */
export const directoryRoutes: FastifyPluginAsyncZod<{ team: TeamService; contacts: ContactService; incidentContacts: IncidentContactService }> = async (
  app,
  { team, contacts, incidentContacts },
) => {
  app.get('/team/members', {
    schema: { operationId: 'team.members.list', tags, summary: 'Team members with their seats and skills; filter by seat or skill', querystring: MemberQuery, response: { 200: MemberList } },
  }, async (req) => team.list(actorOf(req), req.query));

  app.get('/team/members/:userId', {
    schema: { operationId: 'team.members.get', tags, summary: 'One team member\'s seats, skills and contact details', params: MemberParam, response: { 200: Member } },
  }, async (req) => team.get(actorOf(req), req.params.userId));

  app.patch('/team/members/:userId', {
    schema: { operationId: 'team.members.update', tags, summary: 'Change a member\'s seats, skills, phone, time zone, languages or notes', params: MemberParam, body: MemberPatchBody, response: { 200: Member } },
  }, async (req) => team.update(actorOf(req), req.params.userId, req.body));

  app.get('/contacts', {
    schema: { operationId: 'contacts.list', tags, summary: 'The external contact directory; search and filter by kind', querystring: ContactQuery, response: { 200: ContactList } },
  }, async (req) => contacts.list(actorOf(req), req.query));

  app.post('/contacts', {
    schema: { operationId: 'contacts.create', tags, summary: 'Add an external contact', body: ContactCreateBody, response: { 201: Contact } },
  }, async (req, reply) => reply.code(201).send(await contacts.create(actorOf(req), req.body)));

  app.get('/contacts/:id', {
    schema: { operationId: 'contacts.get', tags, summary: 'One external contact', params: ContactParam, response: { 200: Contact } },
  }, async (req) => contacts.get(actorOf(req), req.params.id));

  app.patch('/contacts/:id', {
    schema: { operationId: 'contacts.update', tags, summary: 'Change an external contact (or deactivate it)', params: ContactParam, body: ContactPatchBody, response: { 200: Contact } },
  }, async (req) => contacts.update(actorOf(req), req.params.id, req.body));

  app.delete('/contacts/:id', {
    schema: { operationId: 'contacts.delete', tags, summary: 'Delete a contact that holds no incident role (otherwise deactivate it)', params: ContactParam, response: { 204: z.null() } },
  }, async (req, reply) => {
    await contacts.remove(actorOf(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.get('/incidents/:id/contacts', {
    schema: { operationId: 'incidents.contacts.list', tags, summary: 'External contacts holding roles in the incident, with how to reach them', params: IncidentParam, response: { 200: z.array(IncidentContact) } },
  }, async (req) => incidentContacts.list(actorOf(req), req.params.id));

  app.post('/incidents/:id/contacts', {
    schema: {
      operationId: 'incidents.contacts.assign', tags, summary: 'Give an external contact a role in the incident', params: IncidentParam,
      body: z.object({ role: IncidentRoleEnum, contactId: z.uuid() }), response: { 200: z.array(IncidentContact) },
    },
  }, async (req) => incidentContacts.assign(actorOf(req), req.params.id, req.body.role, req.body.contactId));

  app.delete('/incidents/:id/contacts/:role/:contactId', {
    schema: { operationId: 'incidents.contacts.remove', tags, summary: 'Take an external contact\'s role back', params: ContactRoleParam, response: { 200: z.array(IncidentContact) } },
  }, async (req) => incidentContacts.remove(actorOf(req), req.params.id, req.params.role, req.params.contactId));
};
