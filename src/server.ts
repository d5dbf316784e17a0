import { buildApp, loggerOptions } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { openRuntime } from './runtime.ts';

/** `vigil serve`: open the store, migrate, create the first admin if needed, serve until a signal. */
export async function serve(config: Config): Promise<void> {
  const started = performance.now();
  const rt = await openRuntime(config);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    app?.log.info({ signal }, 'shutting down');
    try {
      await app?.close();
    } finally {
      await rt.close();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    const first = await bootstrap(rt.handle.db, rt.services, config);
    app = await buildApp({ config, db: rt.handle.db, secretKey: rt.secretKey, services: rt.services, logger: loggerOptions(config.LOG_LEVEL) });
    await app.listen({ port: config.PORT, host: config.HOST });
    const url = config.VIGIL_PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    if (first) printFirstAdmin(first.username, first.password, url);
    app.log.info({ store: rt.handle.store, url, startupMs: Math.round(performance.now() - started) }, 'Vigil is serving');
  } catch (e) {
    await app?.close().catch(() => undefined);
    await rt.close();
    throw e;
  }
}

/** Printed once, on the console only (never through the logger), at the very first start. */
function printFirstAdmin(username: string, password: string | null, url: string) {
  const lines = [
    '',
    '  ┌─ Vigil is set up ──────────────────────────────────────────────',
    `  │ Open ${url} and sign in as "${username}".`,
    password
      ? `  │ Password (shown only this once): ${password}`
      : '  │ Password: the value of VIGIL_ADMIN_PASSWORD.',
    '  │ You will be asked to choose a new password at first sign-in.',
    '  └────────────────────────────────────────────────────────────────',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
