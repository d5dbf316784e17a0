import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../../../test/app.ts';
import { stores } from '../../../test/db.ts';
import { systemClock } from '../../lib/actor.ts';
import { importEml, importMbox, mboxMessages, summaryLine } from './import.ts';
import { progressBar } from '../../lib/progress.ts';
import { rawMail } from './testkit.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-mbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An mbox (mboxrd) of the given messages: separator lines, `From ` lines in bodies quoted. */
function mbox(messages: string[]): string {
  return messages.map((m) => `From sender@example.org Tue Mar  3 10:00:00 2026\n${m.replace(/^(>*From )/gm, '>$1')}\n`).join('');
}

const lf = (b: Buffer) => b.toString('utf8').replace(/\r\n/g, '\n');

describe('mbox reading', () => {
  it('splits at From lines, unquotes >From, and streams large files', async () => {
    const a = 'Subject: one\n\nFrom the start of a line\n>From already quoted\nend\n';
    const b = 'Subject: two\n\nsecond\n';
    const path = join(dir, 'two.mbox');
    writeFileSync(path, mbox([a, b]));
    const got = [];
    for await (const m of mboxMessages(path)) got.push(m);
    expect(got.map((m) => m.content.toString())).toEqual([a, b]);
    expect(got.map((m) => [m.index, m.mboxFrom])).toEqual([[0, 'sender@example.org Tue Mar  3 10:00:00 2026'], [1, 'sender@example.org Tue Mar  3 10:00:00 2026']]);
    // Messages that straddle the 1 MB read chunks come out whole.
    const big = Array.from({ length: 40 }, (_, i) => `Subject: big ${i}\n\n${'z'.repeat(100_000)}\n`);
    writeFileSync(path, mbox(big));
    let n = 0;
    const positions: number[] = [];
    for await (const m of mboxMessages(path)) {
      expect(m.content.toString()).toBe(big[n++]);
      positions.push(m.position);
    }
    expect(n).toBe(40);
    // Where each message ends in the file, for the progress bar: rising, the last at the end.
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(positions.at(-1)).toBe(Buffer.byteLength(mbox(big)));
    expect(positions[0]).toBeLessThan(200_000);
  });

  it('refuses a file that is not an mbox', async () => {
    const path = join(dir, 'not.mbox');
    writeFileSync(path, 'Subject: hello\n\nno separator\n');
    const read = async () => {
      for await (const m of mboxMessages(path)) void m;
    };
    await expect(read()).rejects.toMatchObject({ code: 'VIG_MAIL_IMPORT_INVALID' });
  });

  it('draws a progress bar only on a terminal', () => {
    let written = '';
    const tty = Object.assign({ isTTY: true, write: (s: string) => ((written += s), true) }) as unknown as NodeJS.WriteStream;
    const bar = progressBar(1000, tty, 0);
    bar.update(500, 10);
    bar.finish();
    expect(written).toMatch(/\[#{12}-{12}\]\s+50%\s+10 messages\s+500 B \/ 1000 B\s+\d+ msg\/s\s+ETA/);
    const pipe = Object.assign({ isTTY: false, write: () => { throw new Error('no bar on a pipe'); } }) as unknown as NodeJS.WriteStream;
    const quiet = progressBar(1000, pipe, 0);
    quiet.update(10, 1);
    quiet.finish();
  });
});

describe.each(stores())('vigil import on %s', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(store);
  });
  afterAll(() => t?.close());
  const deps = () => ({ db: t.db.db, clock: systemClock, intake: t.services.intake, settings: t.services.settings });

  it('imports a mailbox of a few hundred messages with the right counts, and nothing twice', async () => {
    const messages: string[] = [];
    for (let i = 0; i < 300; i++) {
      messages.push(lf(rawMail({ from: `reporter${i % 50}@example.org`, subject: `Report ${i}`, messageId: `<mbox-${i}@example.org>`, body: `Seen at ${i}.\r\nFrom our proxy logs: host-${i}\r\n>From quoted ${i}` })));
    }
    // Ten identical resends (repeats), five replies by reference, three empty messages (failed).
    for (let i = 0; i < 10; i++) messages.push(messages[i]!.replace(`<mbox-${i}@`, `<mbox-resend-${i}@`));
    for (let i = 0; i < 5; i++) messages.push(lf(rawMail({ subject: `Re: Report ${i}`, headers: { 'In-Reply-To': `<mbox-${i}@example.org>` } })));
    for (let i = 0; i < 3; i++) messages.push('\n'.repeat(i + 1));
    const path = join(dir, 'inbox.mbox');
    writeFileSync(path, mbox(messages));

    const s = await importMbox(deps(), path);
    expect(s).toMatchObject({ messages: 318, stored: 318, skipped: 0, parsed: 315, failed: 3, repeats: 10, replies: 5 });
    expect(s.failures).toHaveLength(3);
    expect(summaryLine(path, s)).toBe('inbox.mbox: 318 messages; 318 stored, 0 already imported; 315 parsed (10 repeats, 5 replies), 3 failed.');
    const reports = await t.db.db.selectFrom('report').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', 'email').executeTakeFirstOrThrow();
    expect(Number(reports.n)).toBe(300);
    // The stored message is the one that was written, `From ` lines unquoted.
    const item = await t.db.db.selectFrom('intakeItem').selectAll().where('messageId', '=', '<mbox-7@example.org>').executeTakeFirstOrThrow();
    expect(Buffer.from(item.content).toString()).toBe(messages[7]);
    expect(item.envelope).toMatchObject({ transport: 'import', file: path, index: 7 });

    const again = await importMbox(deps(), path);
    expect(again).toMatchObject({ messages: 318, stored: 0, skipped: 318, parsed: 0, failed: 0 });
  });

  it('imports .eml files, skipping one already imported', async () => {
    const a = join(dir, 'a.eml');
    const b = join(dir, 'b.eml');
    writeFileSync(a, rawMail({ subject: 'From an eml file' }));
    writeFileSync(b, rawMail({ subject: 'Another eml file' }));
    expect(await importEml(deps(), [a])).toMatchObject({ stored: 1, parsed: 1 });
    expect(await importEml(deps(), [a, b])).toMatchObject({ messages: 2, stored: 1, skipped: 1, parsed: 1 });
    await expect(importEml(deps(), [join(dir, 'missing.eml')])).rejects.toMatchObject({ code: 'VIG_MAIL_IMPORT_INVALID', detail: { reason: 'no such file' } });
  });
});
