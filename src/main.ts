import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DataDirLockedError } from './db/lock.ts';
import { DatabaseUnavailableError } from './db/errors.ts';
import { systemActor, systemClock } from './lib/actor.ts';
import { ROLES } from './lib/authz/policy.ts';
import { VigilError } from './lib/errors.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { verifyChain } from './modules/audit/service.ts';
import type { Role } from './db/schema.ts';
import { VERSION } from './version.ts';

/** Runs fn with the store open and closes it after, whatever happens. */
async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(config());
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

let cached: Config | undefined;
function config(): Config {
  cached ??= loadConfig();
  return cached;
}

const cli = actor();
function actor() {
  return systemActor('cli');
}

const program = new Command('vigil').description('Vigil: operations platform for CSIRTs').version(VERSION);

program
  .command('serve')
  .description('run the HTTP server (API and web app); applies migrations and sets up the first admin')
  .action(async () => {
    const { serve } = await import('./server.ts');
    await serve(config());
  });

program
  .command('migrate')
  .description('apply database migrations, then exit')
  .action(() =>
    withRuntime(async () => {
      console.log('Database is up to date.');
    }),
  );

const user = program.command('user').description('manage accounts');

user
  .command('add <username>')
  .description('create an account; prints a temporary password to change at first sign-in')
  .addOption(new Option('-r, --role <role...>', 'roles to grant').choices(ROLES).makeOptionMandatory())
  .option('-n, --display-name <name>', 'display name (default: the username)')
  .option('-e, --email <address>', 'e-mail address')
  .option('-o, --organisation <name>', "a reporter's constituent organisation")
  .action((username: string, o: { role: Role[]; displayName?: string; email?: string; organisation?: string }) =>
    withRuntime(async (rt) => {
      const r = await rt.services.users.create(cli, { username, displayName: o.displayName ?? username, email: o.email ?? null, organisation: o.organisation ?? null, roles: o.role });
      console.log(`Created ${r.user.username} (${r.user.roles.join(', ')}).`);
      console.log(`Temporary password (shown once; to be changed at first sign-in): ${r.temporaryPassword}`);
    }),
  );

user
  .command('list')
  .description('list accounts')
  .action(() =>
    withRuntime(async (rt) => {
      for (const u of await rt.services.users.list(cli)) {
        console.log(`${u.username.padEnd(24)} ${u.roles.join(',').padEnd(28)} ${u.disabled ? 'disabled' : 'active'}${u.mfaEnabled ? ' mfa' : ''}`);
      }
    }),
  );

user
  .command('disable <username>')
  .description('disable an account: its sessions and API tokens end at once')
  .action((username: string) =>
    withRuntime(async (rt) => {
      const u = await rt.services.users.findByUsername(cli, username);
      await rt.services.users.disable(cli, u.id);
      console.log(`Disabled ${u.username}; its sessions and API tokens are ended.`);
    }),
  );

user
  .command('enable <username>')
  .description('enable a disabled account')
  .action((username: string) =>
    withRuntime(async (rt) => {
      const u = await rt.services.users.findByUsername(cli, username);
      await rt.services.users.enable(cli, u.id);
      console.log(`Enabled ${u.username}.`);
    }),
  );

user
  .command('reset-password <username>')
  .description('set a temporary password (printed once) and end the account\'s sessions')
  .option('--reset-mfa', 'also remove the account\'s second factor (lost authenticator)')
  .action((username: string, o: { resetMfa?: boolean }) =>
    withRuntime(async (rt) => {
      const u = await rt.services.users.findByUsername(cli, username);
      const r = await rt.services.users.resetPassword(cli, u.id);
      if (o.resetMfa) await rt.services.users.resetMfa(cli, u.id);
      console.log(`Temporary password for ${u.username} (shown once; to be changed at first sign-in): ${r.temporaryPassword}`);
    }),
  );

const audit = program.command('audit').description('audit trail tools');

audit
  .command('verify')
  .description('check the whole hash chain; exits 1 and names the first altered, deleted or reordered record')
  .option('-a, --anchor <files...>', 'also check signed anchors: the chain must still hold each anchored record with its hash (finds truncation)')
  .option('--public-key <base64>', "the anchor key's public half kept off-site (default: the key in the database)")
  .action((o: { anchor?: string[]; publicKey?: string }) =>
    withRuntime(async (rt) => {
      const r = await verifyChain(rt.handle.db);
      if (r.ok) {
        console.log(`Audit chain intact: ${r.checked} records checked.`);
      } else {
        console.error(`Audit chain BROKEN at record ${r.firstBroken!.seq}: ${r.firstBroken!.reason}.`);
        console.error(`${r.checked} records before it are intact.`);
        process.exitCode = 1;
      }
      const { readAnchorFile, verifyAnchor } = await import('./modules/audit/anchor.ts');
      for (const file of o.anchor ?? []) {
        const check = await verifyAnchor(rt.handle.db, await readAnchorFile(file), o.publicKey ? { trustedPublicKey: o.publicKey } : {});
        (check.ok ? console.log : console.error)(`${file}: ${check.message}`);
        if (!check.ok) process.exitCode = 1;
      }
    }),
  );

audit
  .command('anchor')
  .description('write a signed anchor of the chain\'s head now (serve writes one daily) to VIGIL_AUDIT_ANCHOR_DIR or --out')
  .option('-o, --out <dir>', 'folder to write it to')
  .action((o: { out?: string }) =>
    withRuntime(async (rt) => {
      const { makeAnchor, writeAnchor } = await import('./modules/audit/anchor.ts');
      const { anchorDir } = await import('./modules/backup/serve.ts');
      const a = await makeAnchor(rt.handle.db, rt.secretKey);
      const path = await writeAnchor(o.out ?? anchorDir(rt.config), a);
      console.log(`Anchor of record ${a.seq} (${a.hash}) written to ${path}; signed by key ${a.keyId}.`);
    }),
  );

const backup = program
  .command('backup')
  .description('back up the database and the evidence files into DEST (a new or empty folder), also while Vigil serves')
  .argument('<dest>', 'folder to write the backup to')
  .action(async (dest: string) => {
    const b = await import('./modules/backup/cli.ts');
    console.log(b.describeBackup(await b.backupCommand(config(), dest)));
  });

backup
  .command('verify <src>')
  .description('check a backup without restoring it: file hashes, referenced blobs, the audit chain in it')
  .action(async (src: string) => {
    const b = await import('./modules/backup/cli.ts');
    if (!(await b.verifyCommand(config(), src))) process.exitCode = 1;
  });

program
  .command('restore <src>')
  .description('restore a backup into an empty data folder (embedded) or the empty database DATABASE_URL names')
  .option('--allow-other-key', 'restore although the backup was made under another secret key (sealed secrets will not open)')
  .action(async (src: string, o: { allowOtherKey?: boolean }) => {
    const b = await import('./modules/backup/cli.ts');
    if (!(await b.restoreCommand(config(), src, { allowOtherKey: !!o.allowOtherKey }))) process.exitCode = 1;
  });

const importer = program.command('import').description('import reports from files');

/** Runs an e-mail import and prints its summary line (and where failed messages wait). */
const mailImport = (what: string, run: (m: typeof import('./modules/inbound-mail/import.ts'), rt: Runtime) => Promise<import('./modules/inbound-mail/import.ts').ImportSummary>) =>
  withRuntime(async (rt) => {
    const m = await import('./modules/inbound-mail/import.ts');
    const s = await run(m, rt);
    console.log(m.summaryLine(what, s));
    for (const f of s.failures) console.error(m.failureLine(f));
    if (s.failed > s.failures.length) console.error(`  … and ${s.failed - s.failures.length} more (GET /api/v1/intake/items?state=failed lists them all).`);
    if (s.failed) console.error('Failed messages wait in the unparsed intake queue with their reason, to be re-run or resolved by hand.');
  });

importer
  .command('eml <paths...>')
  .description('import .eml files (one message each) as e-mail reports; files already imported are skipped')
  .action((paths: string[]) =>
    mailImport(paths.length === 1 ? paths[0]! : `${paths.length} files`, (m, rt) =>
      m.importEml({ db: rt.handle.db, clock: systemClock, intake: rt.services.intake, settings: rt.services.settings }, paths)),
  );

importer
  .command('mbox <path>')
  .description('import every message of an mbox file as e-mail reports (streamed; a progress bar on a terminal)')
  .action((path: string) =>
    mailImport(path, (m, rt) => m.importMbox({ db: rt.handle.db, clock: systemClock, intake: rt.services.intake, settings: rt.services.settings }, path)),
  );

const feed = program.command('feed').description('machine feeds: configure them and hand them reports to read');

feed
  .command('list')
  .description('list the configured feeds')
  .action(() =>
    withRuntime(async (rt) => {
      for (const f of await rt.services.feeds.list(cli)) {
        console.log(`${f.name}\t${f.parser}\t${f.enabled ? 'enabled' : 'disabled'}\t${f.classificationType ?? '-'}\tTLP:${f.tlp}\t${f.provider}`);
      }
    }),
  );

feed
  .command('add <name>')
  .description('configure a feed')
  .requiredOption('--parser <parser>', 'intelmq, csv, list or xarf')
  .option('--settings <json>', "the parser's settings as JSON (a CSV mapping, a list's type, ...)")
  .option('--mapping <name>', 'a shipped CSV mapping as the settings (vigil feed mappings lists them)')
  .option('--type <rsit-type>', 'the classification type of events that do not say')
  .option('--tlp <label>', 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED', 'AMBER')
  .option('--provider <name>', 'who publishes the feed', '')
  .option('--accuracy <0-100>', 'how far its events are to be trusted', '100')
  .action((name: string, o: { parser: string; settings?: string; mapping?: string; type?: string; tlp: string; provider: string; accuracy: string }) =>
    withRuntime(async (rt) => {
      const { shippedMapping } = await import('./modules/feeds/parsing.ts');
      let settings: Record<string, unknown> = {};
      if (o.mapping) settings = shippedMapping(o.mapping);
      else if (o.settings) {
        try {
          settings = JSON.parse(o.settings) as Record<string, unknown>;
        } catch {
          throw new Error('--settings is not valid JSON');
        }
      }
      const f = await rt.services.feeds.create(cli, {
        name, parser: o.parser as 'csv', parserSettings: settings, classificationType: o.type ?? null,
        tlp: o.tlp.replace(/^TLP:/i, '').toUpperCase() as 'AMBER', provider: o.provider, accuracy: Number(o.accuracy),
      });
      console.log(`feed "${f.name}" configured (${f.parser})`);
    }),
  );

feed
  .command('mappings')
  .description('list the CSV mappings shipped with Vigil (Shadowserver-style reports)')
  .action(async () => {
    const { shippedMappings } = await import('./modules/feeds/parsing.ts');
    for (const m of shippedMappings()) console.log(m);
  });

feed
  .command('ingest <file>')
  .description("hand a feed a report from a file and read it now (a progress bar on a terminal); the file is kept as it is")
  .requiredOption('--feed <name>', 'the feed it belongs to')
  .action((file: string, o: { feed: string }) =>
    withRuntime(async (rt) => {
      const { createReadStream, statSync } = await import('node:fs');
      const { basename } = await import('node:path');
      const { progressBar } = await import('./lib/progress.ts');
      const size = statSync(file).size;
      const report = await rt.services.feeds.receive(cli, o.feed, {
        via: 'cli', filename: basename(file).slice(0, 255), contentType: 'application/octet-stream', body: createReadStream(file),
      });
      const bar = progressBar(size, process.stderr, 150, 'lines', 'lines');
      const read = await rt.services.feeds.readOne(report.id, (bytes, lines) => bar.update(bytes, lines));
      bar.finish();
      const r = await rt.services.feeds.reportState(report.id);
      if (!read || !r) {
        console.log(`report ${report.id} kept; another reader has it (the server's feed worker)`);
        return;
      }
      const n = (x: number, word: string) => `${x.toLocaleString('en-US')} ${word}${x === 1 ? '' : 's'}`;
      console.log(`${basename(file)}: ${r.status}, ${n(r.lines, 'line')}, ${n(r.events, 'event')} stored `
        + `(${r.routed.toLocaleString('en-US')} routed to a constituent), ${n(r.failed, 'line')} refused, ${r.duplicates.toLocaleString('en-US')} already stored`
        + `${r.encoding ? `; read as ${r.encoding}` : ''}`);
      if (r.error) console.error(`reading stopped: ${r.error}`);
      if (r.failed) console.error(`The refused lines, with their reasons: GET /api/v1/feed-reports/${r.id}`);
      if (r.status === 'failed') process.exitCode = 1;
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError || e instanceof DatabaseUnavailableError || (e instanceof Error && (e.name === 'BackupError' || e.name === 'AnchorError'))) {
    console.error(e.message);
  } else if (e instanceof VigilError) {
    console.error(`${e.code}: ${e.message}${Object.keys(e.detail).length ? ` ${JSON.stringify(e.detail)}` : ''}`);
  } else {
    console.error(e);
  }
  process.exit(1);
}
