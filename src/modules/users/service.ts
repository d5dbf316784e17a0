import type { Db, Executor } from '../../db/index.ts';
import type { Role, UserRow } from '../../db/schema.ts';
import type { Actor, Clock } from '../../lib/actor.ts';
import { authorize } from '../../lib/authz/policy.ts';
import { generatePassword } from '../../lib/crypto.ts';
import { VigilError } from '../../lib/errors.ts';
import type { AuditService } from '../audit/index.ts';
import { recoveryCodeRepo, userRepo } from './repo.ts';
import { accessRepo } from '../../lib/authz/access.repo.ts';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  /** The constituent organisation of a reporter account (what reports it may follow). */
  organisation: string | null;
  roles: Role[];
  mfaEnabled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/**
 * An account as administrators see it: with its constituents (src/lib/authz/): for a team member
 * the constituents it is limited to (none: unscoped, sees everything), for a reporter its organisation.
 */
export interface UserAdminView extends UserView {
  constituentIds: string[];
}

/** What every team member may know of a colleague. */
export interface TeamMemberView {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
}

export function toUserView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    organisation: u.organisation,
    roles: u.roles,
    mfaEnabled: !!u.mfaEnabledAt,
    mustChangePassword: u.mustChangePassword,
    disabled: !!u.disabledAt,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
  };
}

/** What the audit trail keeps of a user: no secrets, no hashes. */
function auditView(u: UserRow) {
  const { id, username, displayName, email, organisation, roles, mustChangePassword } = u;
  return { id, username, displayName, email, organisation, roles, mustChangePassword, disabled: !!u.disabledAt, mfaEnabled: !!u.mfaEnabledAt };
}

export interface NewUserInput {
  username: string;
  displayName: string;
  email?: string | null | undefined;
  organisation?: string | null | undefined;
  roles: Role[];
  /** The constituents the account is limited to (team) or belongs to (reporter); absent: a reporter's organisation's, else none. */
  constituentIds?: string[] | undefined;
  /** When absent a temporary password is generated; either way the user must change it at first login. */
  password?: string | undefined;
}

/**
 * What managing accounts needs of credentials: auth's password rules and sessions, account's API
 * tokens. Those modules build on users (the user table), so users is given these (src/services.ts).
 */
export interface UserCredentials {
  checkPasswordPolicy(password: string, username: string): void;
  hashPassword(password: string): Promise<string>;
  /** Ends every live session of a user; how many. */
  endSessions(x: Executor, userId: string, now: Date): Promise<number>;
  /** Revokes every live API token of a user; how many. */
  revokeTokens(x: Executor, userId: string, now: Date): Promise<number>;
}

export function createUserService(d: { db: Db; audit: AuditService; clock: Clock; credentials: UserCredentials }) {
  const { checkPasswordPolicy, hashPassword } = d.credentials;
  async function load(x: Executor, id: string, lock = false): Promise<UserRow> {
    const u = lock ? await userRepo.lockById(x, id) : await userRepo.findById(x, id);
    if (!u) throw new VigilError('VIG_USER_NOT_FOUND', { id });
    return u;
  }

  /** Refuses a change that would leave the team without an active admin. */
  async function keepAnAdmin(x: Executor, user: UserRow): Promise<void> {
    if (!user.roles.includes('admin') || user.disabledAt) return;
    const others = await userRepo.otherActiveAdmins(x, user.id);
    if (others.length === 0) throw new VigilError('VIG_USER_LAST_ADMIN', { id: user.id });
  }

  /** Ends every way the user is signed in: sessions and API tokens. */
  async function endAccess(x: Executor, userId: string) {
    const now = d.clock.now();
    return { sessionsEnded: await d.credentials.endSessions(x, userId, now), tokensRevoked: await d.credentials.revokeTokens(x, userId, now) };
  }

  async function adminView(x: Executor, u: UserRow): Promise<UserAdminView> {
    return { ...toUserView(u), constituentIds: (await accessRepo.constituentsOf(x, u.id)) ?? [] };
  }

  /**
   * Sets the account's constituents: the ones given, or for a reporter whose organisation changed
   * (and none given) the registered constituent that organisation names, as reporters always
   * followed. Returns the ids now set, or undefined when nothing was to change.
   */
  async function scope(x: Executor, u: UserRow, given: string[] | undefined, organisationChanged: boolean): Promise<string[] | undefined> {
    let ids = given;
    if (ids === undefined && organisationChanged && u.roles.includes('reporter')) ids = await userRepo.constituentsNamed(x, u.organisation);
    if (ids === undefined) return undefined;
    const unknown = await accessRepo.setConstituents(x, u.id, ids);
    if (unknown.length) throw new VigilError('VIG_REQUEST_INVALID', { errors: unknown.map((id) => ({ path: 'constituentIds', message: `no constituent ${id}` })) });
    return [...new Set(ids)].sort();
  }

  return {
    /**
     * The team, for choosing a colleague (assignment, incident roles, tasks): every team role may
     * read it, reporters may not. Only names and roles, nothing else about an account.
     */
    async teamMembers(actor: Actor): Promise<TeamMemberView[]> {
      authorize(actor, 'team.read');
      return (await userRepo.teamMembers(d.db)).map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, disabled: !!u.disabledAt }));
    },

    async list(actor: Actor): Promise<UserAdminView[]> {
      authorize(actor, 'user.read');
      const rows = await userRepo.list(d.db);
      const scopes = await accessRepo.constituentsOfMany(d.db, rows.map((u) => u.id));
      return rows.map((u) => ({ ...toUserView(u), constituentIds: scopes.get(u.id) ?? [] }));
    },

    async get(actor: Actor, id: string): Promise<UserAdminView> {
      authorize(actor, 'user.read');
      return adminView(d.db, await load(d.db, id));
    },

    async create(actor: Actor, input: NewUserInput): Promise<{ user: UserAdminView; temporaryPassword: string | null }> {
      authorize(actor, 'user.create');
      const username = input.username.trim().toLowerCase();
      const temporaryPassword = input.password ? null : generatePassword();
      const password = input.password ?? temporaryPassword!;
      if (input.password) checkPasswordPolicy(input.password, username);
      const passwordHash = await hashPassword(password);
      const user = await d.db.transaction().execute(async (tx) => {
        if (await userRepo.findByUsername(tx, username)) throw new VigilError('VIG_USER_EXISTS', { username });
        const now = d.clock.now();
        const u = await userRepo
          .insert(tx, {
            username,
            displayName: input.displayName.trim(),
            email: input.email?.trim() || null,
            organisation: input.organisation?.trim() || null,
            passwordHash,
            mustChangePassword: true,
            roles: [...new Set(input.roles)],
            createdAt: now,
            updatedAt: now,
          })
          .catch((e: { code?: string }) => {
            if (e.code === '23505') throw new VigilError('VIG_USER_EXISTS', { username });
            throw e;
          });
        const constituentIds = (await scope(tx, u, input.constituentIds, !!u.organisation)) ?? [];
        await d.audit.record(tx, actor, { action: 'user.created', entity: 'user', entityId: u.id, after: { ...auditView(u), constituentIds } });
        return { ...toUserView(u), constituentIds };
      });
      return { user, temporaryPassword };
    },

    async update(
      actor: Actor, id: string,
      patch: { displayName?: string | undefined; email?: string | null | undefined; organisation?: string | null | undefined; roles?: Role[] | undefined; constituentIds?: string[] | undefined },
    ): Promise<UserAdminView> {
      authorize(actor, 'user.update');
      return d.db.transaction().execute(async (tx) => {
        const before = await load(tx, id, true);
        if (patch.roles && !patch.roles.includes('admin')) await keepAnAdmin(tx, before);
        const after = await userRepo.update(tx, id, {
          ...(patch.displayName !== undefined ? { displayName: patch.displayName.trim() } : {}),
          ...(patch.email !== undefined ? { email: patch.email?.trim() || null } : {}),
          ...(patch.organisation !== undefined ? { organisation: patch.organisation?.trim() || null } : {}),
          ...(patch.roles ? { roles: [...new Set(patch.roles)] } : {}),
          updatedAt: d.clock.now(),
        });
        const beforeScope = (await accessRepo.constituentsOf(tx, id)) ?? [];
        const set = await scope(tx, after, patch.constituentIds, (after.organisation ?? '') !== (before.organisation ?? ''));
        const afterScope = set ?? beforeScope;
        const scopeChanged = afterScope.join() !== beforeScope.join();
        const action = patch.roles && patch.roles.join() !== before.roles.join() ? 'user.roles_changed' : scopeChanged ? 'user.scope_changed' : 'user.updated';
        await d.audit.record(tx, actor, {
          action, entity: 'user', entityId: id, before: { ...auditView(before), constituentIds: beforeScope }, after: { ...auditView(after), constituentIds: afterScope },
        });
        return { ...toUserView(after), constituentIds: afterScope };
      });
    },

    async disable(actor: Actor, id: string): Promise<UserView> {
      authorize(actor, 'user.disable');
      if (actor.userId === id) throw new VigilError('VIG_USER_SELF_DISABLE');
      return d.db.transaction().execute(async (tx) => {
        const before = await load(tx, id, true);
        if (before.disabledAt) return toUserView(before);
        await keepAnAdmin(tx, before);
        const after = await userRepo.update(tx, id, { disabledAt: d.clock.now(), updatedAt: d.clock.now() });
        const ended = await endAccess(tx, id);
        await d.audit.record(tx, actor, { action: 'user.disabled', entity: 'user', entityId: id, before: auditView(before), after: { ...auditView(after), ...ended } });
        return toUserView(after);
      });
    },

    async enable(actor: Actor, id: string): Promise<UserView> {
      authorize(actor, 'user.disable');
      return d.db.transaction().execute(async (tx) => {
        const before = await load(tx, id, true);
        if (!before.disabledAt) return toUserView(before);
        const after = await userRepo.update(tx, id, { disabledAt: null, updatedAt: d.clock.now() });
        await d.audit.record(tx, actor, { action: 'user.enabled', entity: 'user', entityId: id, before: auditView(before), after: auditView(after) });
        return toUserView(after);
      });
    },

    /** Sets a new temporary password (or the given one), forces a change at next login, ends sessions. */
    async resetPassword(actor: Actor, id: string, password?: string): Promise<{ temporaryPassword: string | null }> {
      authorize(actor, 'user.reset_credentials');
      const temporaryPassword = password ? null : generatePassword();
      const passwordHash = await hashPassword(password ?? temporaryPassword!);
      await d.db.transaction().execute(async (tx) => {
        const before = await load(tx, id, true);
        if (password) checkPasswordPolicy(password, before.username);
        const now = d.clock.now();
        await userRepo.update(tx, id, { passwordHash, mustChangePassword: true, passwordChangedAt: now, updatedAt: now });
        // A reset means the old password may be known to someone else: the account's API tokens end with its sessions.
        const { sessionsEnded, tokensRevoked } = await endAccess(tx, id);
        await d.audit.record(tx, actor, { action: 'user.password_reset', entity: 'user', entityId: id, after: { sessionsEnded, apiCredentialsRevoked: tokensRevoked } });
      });
      return { temporaryPassword };
    },

    async resetMfa(actor: Actor, id: string): Promise<UserView> {
      authorize(actor, 'user.reset_credentials');
      return d.db.transaction().execute(async (tx) => {
        const before = await load(tx, id, true);
        const now = d.clock.now();
        const after = await userRepo.update(tx, id, { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null, updatedAt: now });
        await recoveryCodeRepo.replaceAll(tx, id, []);
        const sessionsEnded = await d.credentials.endSessions(tx, id, now);
        await d.audit.record(tx, actor, { action: 'user.mfa_reset', entity: 'user', entityId: id, before: auditView(before), after: { ...auditView(after), sessionsEnded } });
        return toUserView(after);
      });
    },

    /** Finds a user by username for the command line (which acts as the system). */
    async findByUsername(actor: Actor, username: string): Promise<UserView> {
      authorize(actor, 'user.read');
      const u = await userRepo.findByUsername(d.db, username.trim().toLowerCase());
      if (!u) throw new VigilError('VIG_USER_NOT_FOUND', { username });
      return toUserView(u);
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
