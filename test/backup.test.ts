import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/db/index.ts';
import { verifyChain } from '../src/modules/audit/service.ts';
import type { Manifest } from '../src/modules/backup/manifest.ts';
import { stores, urlFor, type Store } from './db.ts';
import { apiJson, apiSignIn, BIN, serve, serverStore, tempDir, vigil } from './process.ts';

const PASSWORD = 'Backup-Test-Admin-Pass-1';
const CHOSEN = 'Backup-Test-Chosen-Pass-2';

/** `vigil <args>` without blocking the event loop (the writers keep writing meanwhile). */
function vigilAsync(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const e: NodeJS.ProcessEnv = { ...process.env, VIGIL_SMTP_PORT: '0', LOG_LEVEL: 'warn', ...env };
  if (!('DATABASE_URL' in env)) delete e.DATABASE_URL;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (out += b));
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe.each(stores())('backup and restore on %s (real processes)', (store: Store) => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('a backup taken during writes restores every row committed before it, every blob, and an intact audit chain', { timeout: 180_000 }, async () => {
    const st = await serverStore(store, cleanups, 'vigil-backup-');
    const env = { ...st.env, VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' };
    const server = await serve(env);
    cleanups.push(() => server.stop('SIGKILL'));
    const first = await apiSignIn(server.port, 'admin', PASSWORD);
    await apiJson(server.port, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: CHOSEN }, first);
    const admin = await apiSignIn(server.port, 'admin', CHOSEN);
    const made = await apiJson(server.port, 'POST', '/users', { username: 'bk-handler', displayName: 'Backup handler', roles: ['handler'] }, admin);
    const h0 = await apiSignIn(server.port, 'bk-handler', made.temporaryPassword);
    await apiJson(server.port, 'POST', '/auth/password', { currentPassword: made.temporaryPassword, newPassword: CHOSEN }, h0);
    const handler = await apiSignIn(server.port, 'bk-handler', CHOSEN);

    const committed: { incident: string; blob: string }[] = [];
    const write = async (i: number) => {
      const inc = await apiJson(server.port, 'POST', '/incidents', { title: `Backup test incident ${i}`, impact: 'low', urgency: 'low', classifications: [{ class: 'malicious-code', type: 'infected-system' }] }, handler);
      const bytes = randomBytes(2048 + i);
      const q = `filename=f${i}.bin&collectedBy=Dana&collectedAt=2026-11-24T21:15:00Z&collectedFrom=host${i}`;
      const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/incidents/${inc.id}/evidence?${q}`, {
        method: 'POST', headers: { ...handler, 'content-type': 'application/octet-stream' }, body: bytes,
      });
      expect(r.status, await r.clone().text()).toBe(201);
      committed.push({ incident: inc.id, blob: createHash('sha256').update(bytes).digest('hex') });
    };
    for (let i = 0; i < 3; i++) await write(i);

    // Writers keep going while the backup runs; what was committed before it started must be in it.
    let writing = true;
    let n = 3;
    const writer = (async () => {
      while (writing) await write(n++);
    })();
    await new Promise((r) => setTimeout(r, 200));
    const before = committed.length;
    const dest = join(tempDir('vigil-backup-dest-'), 'b');
    cleanups.push(() => rmSync(join(dest, '..'), { recursive: true, force: true }));
    const b = await vigilAsync(['backup', dest], st.env);
    writing = false;
    await writer;
    expect(b.code, b.out).toBe(0);
    expect(b.out).toMatch(/Backup written to/);
    expect(await server.stop('SIGTERM')).toBe(0);

    const verified = vigil(['backup', 'verify', dest], st.env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/Backup intact/);
    const manifest = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.store).toBe(store);
    expect(manifest.auditHead.seq).toBeGreaterThan(0);

    // Without the secret key the backup was made under, restore refuses (sealed secrets would not open).
    const keyless = tempDir('vigil-restore-keyless-');
    cleanups.push(() => rmSync(keyless, { recursive: true, force: true }));
    const refused = vigil(['restore', dest], { VIGIL_DATA_DIR: keyless, ...(store === 'postgres' ? { DATABASE_URL: st.env.DATABASE_URL! } : {}) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/made with another secret key/);

    // Restore into an empty data folder (with the same secret key) and, on PostgreSQL, an empty database.
    const target = tempDir('vigil-restore-');
    cleanups.push(() => rmSync(target, { recursive: true, force: true }));
    copyFileSync(join(st.env.VIGIL_DATA_DIR!, 'secret.key'), join(target, 'secret.key'));
    const renv: Record<string, string> = { VIGIL_DATA_DIR: target };
    if (store === 'postgres') {
      const name = `vigil_restore_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
      await admin.end();
      renv.DATABASE_URL = urlFor(name);
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: urlFor('postgres') });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await c.end();
      });
    }
    const restored = vigil(['restore', dest], renv);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Audit chain intact/);
    const again = vigil(['restore', dest], renv);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/evidence folder .* already holds files|not empty|already holds a database/);

    const h = renv.DATABASE_URL ? await openDb({ store: 'postgres', url: renv.DATABASE_URL }) : await openDb({ store: 'pglite', dataDir: join(target, 'pgdata') });
    try {
      const ids = new Set((await h.db.selectFrom('incident').select('id').execute()).map((r) => r.id));
      for (const c of committed.slice(0, before)) expect(ids.has(c.incident), `incident ${c.incident} committed before the backup`).toBe(true);
      const chain = await verifyChain(h.db);
      expect(chain.ok).toBe(true);
      expect(chain.headSeq).toBe(manifest.auditHead.seq);
      const evidence = await h.db.selectFrom('evidence').select(['sha256', 'incidentId']).execute();
      for (const c of committed.slice(0, before)) expect(evidence.some((e) => e.sha256 === c.blob)).toBe(true);
      // Every blob a restored row refers to is in the restored evidence folder, whole.
      for (const e of evidence) {
        const file = join(target, 'blobs', e.sha256.slice(0, 2), e.sha256.slice(2, 4), e.sha256);
        expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(e.sha256);
        expect(ids.has(e.incidentId)).toBe(true);
      }
    } finally {
      await h.close();
    }

    // The server wrote its first signed anchor at start; the restored chain still holds the anchored record.
    const anchors = join(st.env.VIGIL_DATA_DIR!, 'anchors');
    const anchor = join(anchors, readdirSync(anchors).find((n) => /^audit-anchor-.*\.json$/.test(n))!);
    const checked = vigil(['audit', 'verify', '--anchor', anchor], renv);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/Audit chain intact: \d+ records checked\.\n.*: Anchor valid: record \d+ still has the hash anchored/);

    // A damaged blob in the backup is named by verify.
    const blobs = join(dest, 'blobs');
    const aa = readdirSync(blobs)[0]!;
    const bb = readdirSync(join(blobs, aa))[0]!;
    const victim = join(blobs, aa, bb, readdirSync(join(blobs, aa, bb))[0]!);
    rmSync(victim, { force: true });
    mkdirSync(join(victim, '..'), { recursive: true });
    const broken = vigil(['backup', 'verify', dest], st.env);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/Blob [0-9a-f]{64} is missing/);
  });
});
