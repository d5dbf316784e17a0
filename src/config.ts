import { z } from 'zod';

/** Every setting Vigil reads, parsed once at start. Nothing else reads process.env. */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Env = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  VIGIL_DATA_DIR: z.string().min(1).default('./data'),
  VIGIL_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters (openssl rand -hex 32)')
    .optional(),
  VIGIL_TEAM_NAME: z.string().trim().min(1).max(120).default('CSIRT'),
  VIGIL_ADMIN_USERNAME: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'lower-case letters, digits, . _ -').default('admin'),
  VIGIL_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  VIGIL_PUBLIC_URL: z.url().optional(),
  VIGIL_COOKIE_SECURE: bool.optional(),
  VIGIL_TRUST_PROXY: bool.default(false),
  VIGIL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  VIGIL_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  VIGIL_LOGIN_MAX_FAILURES: z.coerce.number().int().min(2).max(1000).default(5),
  VIGIL_LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(2).max(100000).default(30),
  VIGIL_LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86400).default(30),
  VIGIL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  VIGIL_EVIDENCE_DIR: z.string().min(1).optional(),
  VIGIL_EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1).max(1024 ** 4).default(2 * 1024 ** 3),
  /** The largest report a feed may deliver, in bytes (5 GiB by default); reports are streamed, never held whole. */
  VIGIL_FEED_MAX_BYTES: z.coerce.number().int().min(1).max(1024 ** 4).default(5 * 1024 ** 3),
  /** How often the feed worker looks for reports to read. */
  VIGIL_FEED_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1000),
  /** How often the blob store is swept of unfinished uploads and files no row refers to (also at start). */
  VIGIL_BLOB_SWEEP_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  /** A blob-store file untouched for this long may be swept; younger ones always stay. */
  VIGIL_BLOB_GRACE_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(60),
  /** PostgreSQL: how long to wait for a connection (a new one, or a free one from the pool). */
  VIGIL_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** PostgreSQL: the server cancels a statement running longer than this (statement_timeout; 0 = none). Migrations have none. */
  VIGIL_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /** PostgreSQL: Vigil gives up on a query with no answer after this long, even if the server never answers (0 = never). */
  VIGIL_DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(35_000),
  /** On SIGTERM/SIGINT, requests still open after this long have their connections closed. */
  VIGIL_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  VIGIL_LIVE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** How often the notification worker looks for due deliveries when the last look found none. */
  VIGIL_NOTIFICATION_POLL_MS: z.coerce.number().int().min(100).max(300_000).default(3000),
  /** How long a delivery stays with the sender that claimed it before another server may take it over. */
  VIGIL_NOTIFICATION_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(300_000),
  /** How often due escalation levels and unacknowledged alerts are looked for. */
  VIGIL_ESCALATION_TICK_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** How often the SLA watcher records warnings and breaches (and backfills clocks). */
  VIGIL_SLA_TICK_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** How often completed months and years are looked for and scheduled KPI reports sent. */
  VIGIL_REPORT_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(300_000),
  /** A high or critical alert still new after this many minutes pages whoever is on duty. */
  VIGIL_ALERT_PAGE_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** The least severe alert that pages: info, low, medium, high or critical. */
  VIGIL_ALERT_PAGE_SEVERITY: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
  VIGIL_LIVE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(25_000),
  // Intake: the SMTP listener (VIGIL_SMTP_PORT=0 turns it off), the public web form, attachments.
  VIGIL_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  VIGIL_SMTP_HOST: z.string().min(1).optional(),
  VIGIL_SMTP_HOSTNAME: z.string().min(1).max(253).default('vigil.localhost'),
  /** Recipient addresses or @domains the listener accepts (comma-separated); empty accepts any. */
  VIGIL_SMTP_ACCEPT: z.string().default(''),
  VIGIL_SMTP_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(25 * 1024 * 1024),
  VIGIL_SMTP_TLS_CERT: z.string().min(1).optional(),
  VIGIL_SMTP_TLS_KEY: z.string().min(1).optional(),
  /** Messages per sender address (and per peer IP) per hour before the listener defers them. */
  VIGIL_SMTP_RATE_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(500),
  /** The team's armoured PGP private key file: encrypted reports are decrypted, signatures verified. */
  VIGIL_PGP_KEY_FILE: z.string().min(1).optional(),
  VIGIL_PGP_PASSPHRASE: z.string().optional(),
  VIGIL_INTAKE_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).max(1024 ** 3).default(20 * 1024 * 1024),
  /** Identical reports (same sender and content) within this many seconds collapse into one; 0 turns it off. */
  VIGIL_REPORT_DEDUP_SECONDS: z.coerce.number().int().min(0).max(30 * 86400).default(86400),
  VIGIL_WEBFORM_RATE_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  VIGIL_STATUS_LINK_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // Outgoing e-mail (receipts, updates): an SMTP relay URL (smtp://user:pass@host:port); unset keeps mail queued.
  VIGIL_SMTP_RELAY_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  VIGIL_MAIL_FROM: z.string().min(3).max(320).default('CSIRT <csirt@vigil.localhost>'),
  // Backups and audit anchors (docs/backup.md).
  /** Where pg_dump and pg_restore are (the server's major version or newer); unset: found on PATH. */
  VIGIL_PG_BIN_DIR: z.string().min(1).optional(),
  /** Where signed audit anchors are written (default: `anchors/` in the data folder); keep a copy elsewhere. */
  VIGIL_AUDIT_ANCHOR_DIR: z.string().min(1).optional(),
  /** A new audit anchor once the newest is this many hours old (0 turns the anchors off). */
  VIGIL_AUDIT_ANCHOR_HOURS: z.coerce.number().int().min(0).max(24 * 31).default(24),
  /** Mail each new audit anchor to this address outside the team (through VIGIL_SMTP_RELAY_URL); unset: not mailed. */
  VIGIL_AUDIT_ANCHOR_MAIL_TO: z.string().trim().max(320).regex(/^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/, 'must be one e-mail address').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Readonly<
  z.infer<typeof Env> & {
    /** Whether cookies carry the Secure flag: explicit setting, else true when the public URL is https. */
    cookieSecure: boolean;
    store: 'pglite' | 'postgres';
    /** Where evidence files live: VIGIL_EVIDENCE_DIR, or `blobs/` in the data folder. */
    evidenceDir: string;
  }
>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`DATABASE_URL= npm start`) counts as unset.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = Env.safeParse(given);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = r.data;
  return Object.freeze({
    ...c,
    cookieSecure: c.VIGIL_COOKIE_SECURE ?? (c.VIGIL_PUBLIC_URL?.startsWith('https:') ?? false),
    store: c.DATABASE_URL ? 'postgres' : 'pglite',
    evidenceDir: c.VIGIL_EVIDENCE_DIR ?? `${c.VIGIL_DATA_DIR.replace(/\/$/, '')}/blobs`,
  });
}
