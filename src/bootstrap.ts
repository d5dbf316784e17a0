import { sql } from 'kysely';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { systemActor } from './lib/actor.ts';
import { generatePassword } from './lib/crypto.ts';
import type { Services } from './services.ts';
import { hashPassword } from './modules/auth/passwords.ts';
import { teamRepo } from './modules/settings/repo.ts';
import { userRepo } from './modules/users/repo.ts';

const BOOTSTRAP_LOCK = 0x56494732; // "VIG2"

/**
 * At every start: installs built-in playbooks a new version brings. First start: creates the team
 * and the first admin. The admin's password is VIGIL_ADMIN_PASSWORD
 * or a generated one, returned so the caller can print it once; either way it must be changed at
 * first login. Later starts change nothing.
 */
export async function bootstrap(db: Db, services: Services, config: Config): Promise<{ username: string; password: string | null } | null> {
  const actor = systemActor('system');
  const password = config.VIGIL_ADMIN_PASSWORD ?? generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(tx);
    if (!(await teamRepo.find(tx))) {
      const team = await teamRepo.insert(tx, config.VIGIL_TEAM_NAME);
      await services.audit.record(tx, actor, { action: 'team.created', entity: 'team', entityId: '1', after: { teamName: team.name } });
    }
    await services.playbooks.installBuiltins(tx, actor);
    if ((await userRepo.count(tx)) > 0) return null;
    const admin = await userRepo.insert(tx, {
      username: config.VIGIL_ADMIN_USERNAME,
      displayName: 'Administrator',
      passwordHash,
      mustChangePassword: true,
      roles: ['admin'],
    });
    await services.audit.record(tx, actor, {
      action: 'user.created',
      entity: 'user',
      entityId: admin.id,
      after: { id: admin.id, username: admin.username, roles: admin.roles, mustChangePassword: true },
    });
    return { username: admin.username, password: config.VIGIL_ADMIN_PASSWORD ? null : password };
  });
}
