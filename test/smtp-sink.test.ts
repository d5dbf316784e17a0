import { connect, type Socket } from 'node:net';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

/**
 * The crash tests kill a server while it hands mail to the sink. The sender's connection then
 * dies in the middle of DATA (ECONNRESET at the sink): that must be recorded, never thrown as an
 * unhandled error that fails the whole test run, and the sink must keep taking mail.
 */
function lines(socket: Socket) {
  let buf = '';
  const waiting: ((l: string) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (/^\d{3} /.test(line)) waiting.shift()?.(line);
    }
  });
  return (send?: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      if (send !== undefined) socket.write(send + '\r\n');
    });
}

describe('the test SMTP sink', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink?.close());

  it('survives a sender reset in the middle of a message and keeps taking mail', async () => {
    const socket = connect(sink.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const reply = lines(socket);
    expect(await reply()).toMatch(/^220 /);
    expect(await reply('EHLO vigil.test')).toMatch(/^250 /);
    expect(await reply('MAIL FROM:<csirt@vigil.test>')).toMatch(/^250 /);
    expect(await reply('RCPT TO:<duty-officer-0@example.org>')).toMatch(/^250 /);
    expect(await reply('DATA')).toMatch(/^354 /);
    socket.write('From: CSIRT <csirt@vigil.test>\r\nTo: duty-officer-0@example.org\r\nSubject: [VIG-2026-0007] Escalation level 1\r\n\r\nP1 incident');
    await new Promise((r) => setTimeout(r, 50));
    socket.resetAndDestroy(); // what a SIGKILLed sender's kernel does

    for (let i = 0; i < 50 && sink.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sink.errors.map((e) => (e as NodeJS.ErrnoException).code)).toContain('ECONNRESET');

    const transport = createTransport({ url: sink.url });
    await transport.sendMail({ from: 'csirt@vigil.test', to: 'duty-officer-1@example.org', subject: 'after the reset', text: 'still here' });
    const [m] = await sink.waitFor(1);
    expect(m!.parsed.subject).toBe('after the reset');
  });
});
