import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { VigilError } from '../../lib/errors.ts';
import { actorOf } from '../../lib/http.ts';
import { type Authenticator, callerOf } from '../auth/index.ts';
import type { LiveService } from './service.ts';

/**
 * GET /live: a server-sent event stream of `change` events ({incidents: [ids], reports: [ids]}).
 * It does not count as activity (an open console does not keep an idle session alive), the
 * caller's credentials are checked again at every heartbeat, and the stream ends after `timeout`
 * seconds (browsers reconnect by themselves, which authenticates afresh).
 */
export const liveRoutes: FastifyPluginAsyncZod<{ live: LiveService; authenticator: Authenticator; heartbeatMs?: number }> = async (
  app,
  { live, authenticator, heartbeatMs = 25_000 },
) => {
  app.addHook('onClose', async () => live.close());

  app.get('/live', {
    config: { touchSession: false },
    schema: {
      operationId: 'live.stream', tags: ['live'],
      summary: 'Server-sent events: ids of incidents and reports that changed and that you may see',
      querystring: z.object({ timeout: z.coerce.number().int().min(0).max(3600).default(600).describe('seconds before the server ends the stream') }),
      produces: ['text/event-stream'],
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    /** The caller's access now, from the same credentials (never counted as activity); null once they no longer hold. */
    const current = async () => {
      try {
        const a = await callerOf(req, authenticator, { touch: false });
        return a && a.user.id === actor.userId && !a.mfaPending ? a.actor : null;
      } catch {
        return null;
      }
    };

    const raw = reply.raw;
    let open = true;
    let started = false;
    let heartbeat: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | null = null;
    function cleanup() {
      clearInterval(heartbeat);
      clearTimeout(deadline);
      unsubscribe?.();
    }
    const write = (chunk: string) => {
      if (open && started) raw.write(chunk);
    };
    const end = (reason: string) => {
      if (!open) return;
      write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      open = false;
      cleanup();
      if (started) raw.end();
    };
    // Each change is filtered with the caller's access as it is now: the live service reads it
    // again whenever the audit trail shows a change to the user, this session or this token, and
    // ends the stream when the credentials no longer hold.
    unsubscribe = await live.subscribe(actor, {
      current,
      send: (change) => write(`event: change\ndata: ${JSON.stringify(change)}\n\n`),
      end,
    });
    if (!unsubscribe || !open) {
      cleanup();
      throw new VigilError('VIG_AUTH_REQUIRED');
    }
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-request-id': String(req.id),
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    started = true;
    write('retry: 5000\nevent: ready\ndata: {}\n\n');

    // Session expiry and idleness are not in the audit trail: the heartbeat checks the credentials too.
    heartbeat = setInterval(() => {
      void current().then((ok) => (ok ? write(': keep-alive\n\n') : end('signed-out')));
    }, heartbeatMs);
    deadline = setTimeout(() => end('timeout'), req.query.timeout * 1000);
    raw.on('close', () => {
      open = false;
      cleanup();
    });
  });
};
