// A TCP proxy in front of PostgreSQL that records which statements the server runs, with their
// bound parameters and how long each took (from Bind to the server's ReadyForQuery), by reading
// the PostgreSQL wire protocol as it passes. The benchmark points a second, short-lived server at
// it after the load, so EXPLAIN gets exactly the SQL and values the API sends (no copies of the
// repositories' queries to keep in step) while the measured server talks to PostgreSQL directly.
import { connect, createServer } from 'node:net';

/** Splits a byte stream into protocol messages; `first` is the untyped start-up message. */
function framer(onMessage, untypedFirst) {
  let buf = Buffer.alloc(0);
  let first = untypedFirst;
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (first) {
        if (buf.length < 4) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        // An SSLRequest/GSSENCRequest is followed by another start-up message.
        if (code !== 80877103 && code !== 80877104) first = false;
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      onMessage(String.fromCharCode(buf[0]), buf.subarray(5, len + 1));
      buf = buf.subarray(len + 1);
    }
  };
}

function cstring(b, at) {
  const end = b.indexOf(0, at);
  return [b.toString('utf8', at, end), end + 1];
}

function parseBind(b) {
  let at = 0;
  let statement;
  [, at] = cstring(b, at); // portal
  [statement, at] = cstring(b, at);
  const nFormats = b.readInt16BE(at);
  at += 2;
  const formats = [];
  for (let i = 0; i < nFormats; i++, at += 2) formats.push(b.readInt16BE(at));
  const n = b.readInt16BE(at);
  at += 2;
  const params = [];
  for (let i = 0; i < n; i++) {
    const len = b.readInt32BE(at);
    at += 4;
    if (len < 0) {
      params.push(null);
      continue;
    }
    const binary = (nFormats === 1 ? formats[0] : formats[i] ?? 0) === 1;
    const v = b.subarray(at, at + len);
    params.push(binary ? Buffer.from(v) : v.toString('utf8'));
    at += len;
  }
  return { statement, params };
}

/** Starts the proxy to `target` ({ host, port }); resolves { port, statements, reset(), close() }. */
export function captureProxy(target) {
  const statements = [];
  const sockets = new Set();
  const pendingAll = new Set(); // per connection: statements not answered yet
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const prepared = new Map(); // statement name → SQL, per connection
    let parsed = ''; // the unnamed statement's SQL
    const pending = []; // statements sent, waiting for ReadyForQuery
    pendingAll.add(pending);
    const fromClient = framer((type, body) => {
      if (type === 'P') {
        const [name, at] = cstring(body, 0);
        const [sql] = cstring(body, at);
        if (name) prepared.set(name, sql);
        else parsed = sql;
      } else if (type === 'B') {
        const { statement, params } = parseBind(body);
        pending.push({ sql: statement ? prepared.get(statement) : parsed, params, t0: performance.now() });
      } else if (type === 'Q') {
        pending.push({ sql: cstring(body, 0)[0], params: [], t0: performance.now() });
      }
    }, true);
    const fromServer = framer((type) => {
      if (type !== 'Z') return;
      const now = performance.now();
      for (const s of pending.splice(0)) statements.push({ sql: s.sql, params: s.params, ms: now - s.t0 });
    }, false);
    client.on('data', (d) => {
      fromClient(d);
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      fromServer(d);
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pendingAll.delete(pending);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        statements,
        /** The statements recorded since the last reset; ones still running have `ms: null`. */
        reset: () => {
          const out = statements.splice(0);
          for (const p of pendingAll) for (const x of p) out.push({ sql: x.sql, params: x.params, ms: null });
          return out;
        },
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}
