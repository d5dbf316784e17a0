import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('needs no setting at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, VIGIL_DATA_DIR: './data', VIGIL_TEAM_NAME: 'CSIRT', store: 'pglite', cookieSecure: false });
  });

  it('chooses PostgreSQL when DATABASE_URL is set and secure cookies behind https', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db', VIGIL_PUBLIC_URL: 'https://vigil.example.org' });
    expect(c.store).toBe('postgres');
    expect(c.cookieSecure).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ store: 'pglite', PORT: 8080 });
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', VIGIL_SECRET_KEY: 'short', DATABASE_URL: 'mysql://x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/VIGIL_SECRET_KEY/);
      expect(problems).toMatch(/DATABASE_URL/);
    }
  });
});
