import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, stores } from './db.ts';
import { seedEmbedded, serve, tempDir, vigil } from './process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// The embedded store's commands run in the embedded pass only; the PostgreSQL pass runs its own below.
describe.runIf(stores().includes('pglite'))('vigil serve on the embedded store (real processes)', () => {
  it('sets up the team and an admin with a printed password, guards its data folder, and stops cleanly', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const env = { VIGIL_DATA_DIR: dir, VIGIL_TEAM_NAME: 'CERT-Test' };
    const first = await serve(env);
    try {
      const printed = /Password \(shown only this once\): (\S+)/.exec(first.output());
      expect(printed, first.output()).not.toBeNull();
      const password = printed![1]!;
      const base = `http://127.0.0.1:${first.port}`;
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const body = (await login.json()) as { user: { mustChangePassword: boolean } };
      expect(body.user.mustChangePassword).toBe(true);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect(((await (await fetch(`${base}/api/v1/meta`)).json()) as { teamName: string }).teamName).toBe('CERT-Test');
      const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);

      // A second process on the same folder refuses with a clear message; the first keeps serving.
      const second = vigil(['serve'], { ...env, PORT: String(first.port + 1) });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/Another Vigil process \(pid \d+\) is using the data folder/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const cliWhileServing = vigil(['user', 'list'], env);
      expect(cliWhileServing.code).not.toBe(0);

      // Logs carry request ids, never the password or the session cookie.
      const logs = first.output().split('\n').filter((l) => l.startsWith('{'));
      expect(logs.some((l) => /"reqId"/.test(l))).toBe(true);
      expect(logs.join('\n')).not.toContain(password);
      expect(logs.join('\n')).not.toContain(cookie.split('=')[1]!);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(join(dir, 'vigil.lock'))).toBe(false);

    // A restart finds everything in place and prints no new password.
    const again = await serve(env);
    expect(again.output()).not.toMatch(/shown only this once/);
    expect(await again.stop('SIGINT')).toBe(0);
  });

  it('manages users from the command line and verifies the audit chain, naming an altered record', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const env = { VIGIL_DATA_DIR: dir, VIGIL_ADMIN_PASSWORD: 'Initial-Admin-Pass-1' };
    // A migrated store, as the first start above leaves one (that test makes its own from nothing).
    await seedEmbedded(dir);
    expect(vigil(['migrate'], env).code).toBe(0);
    const add = vigil(['user', 'add', 'grace', '--role', 'handler', 'viewer', '--display-name', 'Grace'], env);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Temporary password .*: \S+/);
    const bad = vigil(['user', 'add', 'x', '--role', 'root'], env);
    expect(bad.code).not.toBe(0);
    expect(vigil(['user', 'reset-password', 'grace'], env).stdout).toMatch(/Temporary password for grace/);
    expect(vigil(['user', 'disable', 'grace'], env).code).toBe(0);
    expect(vigil(['user', 'list'], env).stdout).toMatch(/grace\s+handler,viewer\s+disabled/);
    const missing = vigil(['user', 'disable', 'nobody'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/VIG_USER_NOT_FOUND/);

    const ok = vigil(['audit', 'verify'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Audit chain intact: \d+ records/);

    // Change one audit row directly in the database files, as an intruder with disk access would.
    const db = new PGlite(join(dir, 'pgdata'));
    await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
                   UPDATE audit_log SET after = '{"username":"mallory"}' WHERE seq = 3;`);
    await db.close();
    const broken = vigil(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/Audit chain BROKEN at record 3: content does not match its hash \(altered\)/);
  }, 240_000); // nine real process starts, each opening the embedded store: slow on a busy machine
});

describe.runIf(!!process.env.DATABASE_URL)('vigil on PostgreSQL (real processes)', () => {
  it('migrates, adds a user and names an altered audit record', async () => {
    const t = await freshDb('postgres');
    try {
      const env = { DATABASE_URL: t.url!, VIGIL_DATA_DIR: tempDir(), VIGIL_ADMIN_PASSWORD: 'Initial-Admin-Pass-1' };
      dirs.push(env.VIGIL_DATA_DIR);
      const s = await serve(env);
      expect(await s.stop()).toBe(0);
      expect(vigil(['user', 'add', 'heidi', '--role', 'manager'], env).code).toBe(0);
      expect(vigil(['audit', 'verify'], env).code).toBe(0);
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await c.query(`UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2`);
      await c.end();
      const broken = vigil(['audit', 'verify'], env);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/BROKEN at record 2/);
    } finally {
      await t.close();
    }
  });
});
