import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stores, type Store } from './db.ts';
import { apiJson as json, apiSignIn as signIn, serve, serverStore, type Served } from './process.ts';

/**
 * An evidence upload over the limit, sent chunked (no Content-Length, so the limit is only found
 * while reading), against a real server process: the client gets 413 and the server closes the
 * connection instead of leaving it open with the rest of the body unread; SIGTERM afterwards
 * still stops the server promptly, even with another upload stalled half-way. Unfinished uploads
 * a previous process left in the blob store are removed at start once they are old enough.
 */
const PASSWORD = 'Upload-Limit-Admin-Pass-1';
const CHOSEN = 'Upload-Limit-Chosen-Pass-2';
const LIMIT = 256 * 1024;

/** Sends a chunked upload that never ends on its own; resolves with what came back and whether the server closed the socket. */
function chunkedUpload(port: number, path: string, headers: Record<string, string>): Promise<{ response: string; closedByServer: boolean; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let stopped = false;
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    const timer = setTimeout(() => finish(false), 8000);
    function finish(closedByServer: boolean) {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, closedByServer, sent });
    }
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish(true) : reject(e)));
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Type: application/octet-stream', 'Transfer-Encoding: chunked', 'Connection: keep-alive',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      socket.write(head);
      // Four times the limit, paced, and never the closing zero-length chunk: a client still sending.
      const pump = () => {
        if (stopped || response || sent >= 4 * LIMIT) return;
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
        sent += chunk.length;
        setTimeout(pump, 5);
      };
      pump();
    });
  });
}

describe.each(stores())('an over-limit chunked evidence upload on %s', (store: Store) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('gets 413 with the connection closed, and SIGTERM still stops the server', { timeout: 120_000 }, async () => {
    const st = await serverStore(store, cleanups, 'vigil-upload-limit-');
    const env: Record<string, string> = { ...st.env, VIGIL_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', VIGIL_EVIDENCE_MAX_BYTES: String(LIMIT), VIGIL_SHUTDOWN_TIMEOUT_MS: '2000' };
    // What a crash left: an upload cut two hours ago, and one another process is writing right now.
    const tmp = join(st.env.VIGIL_DATA_DIR!, 'blobs', 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'cut-2h-ago.part'), Buffer.alloc(4096, 1));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(tmp, 'cut-2h-ago.part'), twoHoursAgo, twoHoursAgo);
    writeFileSync(join(tmp, 'being-written.part'), Buffer.alloc(4096, 2));
    const server: Served = await serve(env);
    for (let i = 0; i < 50 && existsSync(join(tmp, 'cut-2h-ago.part')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(tmp, 'cut-2h-ago.part')), 'an old unfinished upload is removed at start').toBe(false);
    expect(existsSync(join(tmp, 'being-written.part')), 'a recent one stays').toBe(true);
    cleanups.push(() => void server.stop('SIGKILL'));
    const first = await signIn(server.port, 'admin', PASSWORD);
    await json(server.port, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: CHOSEN }, first);
    const admin = await signIn(server.port, 'admin', CHOSEN);
    const made = await json(server.port, 'POST', '/users', { username: 'upload-handler', displayName: 'Upload handler', roles: ['handler'] }, admin);
    const h0 = await signIn(server.port, 'upload-handler', made.temporaryPassword);
    await json(server.port, 'POST', '/auth/password', { currentPassword: made.temporaryPassword, newPassword: CHOSEN }, h0);
    const handler = await signIn(server.port, 'upload-handler', CHOSEN);
    const inc = await json(server.port, 'POST', '/incidents', {
      title: 'Ransomware on a file server', impact: 'high', urgency: 'high', classifications: [{ class: 'malicious-code', type: 'infected-system' }],
    }, handler);

    const q = 'filename=disk.img&collectedBy=Dana&collectedAt=2026-11-24T21:15:00Z&collectedFrom=FS01';
    const r = await chunkedUpload(server.port, `/api/v1/incidents/${inc.id}/evidence?${q}`, handler);
    expect(r.response.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(r.response).toContain('VIG_EVIDENCE_TOO_LARGE');
    expect.soft(r.response.toLowerCase()).toContain('connection: close');
    expect.soft(r.closedByServer, 'the server closed the connection').toBe(true);

    // An upload within the limit whose client stalls half-way: shutdown closes it at the deadline.
    const stalled = connect(server.port, '127.0.0.1');
    let stalledClosed = false;
    stalled.on('error', () => undefined);
    stalled.on('close', () => (stalledClosed = true));
    await new Promise<void>((res) => stalled.on('connect', res));
    stalled.write([`POST /api/v1/incidents/${inc.id}/evidence?${q} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Content-Type: application/octet-stream', 'Transfer-Encoding: chunked',
      ...Object.entries(handler).map(([k, v]) => `${k}: ${v}`), '', `400\r\n${'B'.repeat(0x400)}\r\n`].join('\r\n'));
    await new Promise((r) => setTimeout(r, 500));

    const t0 = Date.now();
    const code = await Promise.race([server.stop('SIGTERM'), new Promise<'hung'>((res) => setTimeout(() => res('hung'), 15_000))]);
    expect(code, server.output()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(stalledClosed, 'the stalled upload was ended').toBe(true);
  });
});
