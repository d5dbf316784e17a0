// The seed's database adapter for PostgreSQL over the `pg` client: plain queries, and COPY … FROM
// STDIN spoken directly on the client's connection. pg-copy-streams is not a dependency of Vigil,
// so COPY goes through pg's documented "submittable" hook (an object with submit(connection) that
// the client hands the protocol messages of its query to): after CopyInResponse we send CopyData
// messages ourselves, honouring the socket's back-pressure, then CopyDone.
import { once } from 'node:events';

class CopyIn {
  constructor(text, chunks) {
    this.text = text;
    this.chunks = chunks;
    this.rows = 0;
    this.error = null;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection) {
    connection.query(this.text);
  }

  async handleCopyInResponse(connection) {
    try {
      for (const chunk of this.chunks) {
        if (this.error) return; // the server refused a row: it answers ErrorResponse, then ReadyForQuery
        connection.sendCopyFromChunk(chunk);
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (e) {
      connection.sendCopyFail(String(e?.message ?? e));
    }
  }

  handleCommandComplete(msg) {
    this.rows = Number(/^COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  handleError(err) {
    this.error = err;
  }

  handleReadyForQuery() {
    if (this.error) this.reject(this.error);
    else this.resolve(this.rows);
  }

  handleRowDescription() {}
  handleDataRow() {}
  handlePortalSuspended() {}
  handleEmptyQuery() {}
  handleCopyData() {}
}

/** A seed adapter over a connected pg.Client. */
export function pgAdapter(client) {
  return {
    query: async (sql) => (await client.query(sql)).rows,
    copy(table, columns, chunks) {
      const c = new CopyIn(`copy ${table} (${columns.join(', ')}) from stdin`, chunks);
      client.query(c);
      return c.done;
    },
  };
}
