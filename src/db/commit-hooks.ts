import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely, type TransactionSettings } from 'kysely';
import type { Executor } from './index.ts';

/**
 * Work a transaction does as its last statements, right before COMMIT: the audit chain's append
 * (which locks the chain's head) and the incident reference counter (which locks the year's row).
 * Shared rows locked last are held for one or two round trips and the commit, not for the whole
 * transaction, so writers do not wait on each other for the length of their work.
 *
 * Hooks run in phase order (lower first), then in the order they were added; a failing hook fails
 * the commit and rolls the transaction back. A rollback drops them. Transactions on a Kysely made
 * without `withCommitHooks` have no hooks: `atCommit` then returns undefined and the caller does
 * the work at once.
 */
export type CommitHook = (tx: Executor) => Promise<unknown>;

interface Pending {
  tx: Executor;
  /** A statement without parameters to run last of all, sent together with COMMIT where the driver allows. */
  final?: string | undefined;
  hooks: { phase: number; order: number; key: string; state: unknown; run: CommitHook }[];
}

/** Connections in a transaction begun through a hooked driver, and their pending hooks. */
const open = new WeakMap<DatabaseConnection, Pending>();

/** The phases: the reference counter before the audit append, which is always last. */
export const PHASE = { counter: 10, audit: 100 } as const;

class HookedDriver implements Driver {
  private readonly inner: Driver;
  private readonly pipeline: boolean;
  constructor(inner: Driver, pipeline: boolean) {
    this.inner = inner;
    this.pipeline = pipeline;
  }
  init() {
    return this.inner.init();
  }
  acquireConnection() {
    return this.inner.acquireConnection();
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    await this.inner.beginTransaction(c, settings);
    open.set(c, { tx: undefined as never, hooks: [] });
  }
  async commitTransaction(c: DatabaseConnection) {
    const p = open.get(c);
    if (p) {
      // A hook may add hooks of a later phase (the counter's update is audited).
      for (;;) {
        const next = p.hooks.sort((a, b) => a.phase - b.phase || a.order - b.order).shift();
        if (!next) break;
        await next.run(p.tx);
      }
    }
    open.delete(c);
    if (p?.final && this.pipeline) {
      // One round trip for the last statement and the commit (PostgreSQL's simple query protocol
      // runs both in order and stops at an error, which the caller then rolls back): the row it
      // locks is held for its own execution and the commit's flush, not for a client's round trip.
      await c.executeQuery(CompiledQuery.raw(`${p.final};\ncommit`));
      return;
    }
    if (p?.final) await c.executeQuery(CompiledQuery.raw(p.final));
    await this.inner.commitTransaction(c);
  }
  async rollbackTransaction(c: DatabaseConnection) {
    open.delete(c);
    await this.inner.rollbackTransaction(c);
  }
  releaseConnection(c: DatabaseConnection) {
    return this.inner.releaseConnection(c);
  }
  destroy() {
    return this.inner.destroy();
  }
  savepoint(...a: Parameters<NonNullable<Driver['savepoint']>>) {
    if (!this.inner.savepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.savepoint(...a);
  }
  rollbackToSavepoint(...a: Parameters<NonNullable<Driver['rollbackToSavepoint']>>) {
    // Hooks added inside the savepoint cannot be told apart from the others: refuse rather than
    // commit work (an audit record) of statements that were rolled back.
    if (open.get(a[0])?.hooks.length) throw new Error('rolling back to a savepoint is not supported once commit hooks are pending');
    if (!this.inner.rollbackToSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.rollbackToSavepoint(...a);
  }
  releaseSavepoint(...a: Parameters<NonNullable<Driver['releaseSavepoint']>>) {
    if (!this.inner.releaseSavepoint) throw new Error('savepoints are not supported by this driver');
    return this.inner.releaseSavepoint(...a);
  }
}

/**
 * The dialect with commit hooks: every transaction begun through it runs its hooks before COMMIT.
 * `pipelineCommit` (PostgreSQL: its driver sends a query without parameters as a simple query,
 * which may hold several statements) sends the final statement and COMMIT in one round trip.
 */
export function withCommitHooks(dialect: Dialect, o: { pipelineCommit?: boolean } = {}): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new HookedDriver(dialect.createDriver(), o.pipelineCommit === true),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
  };
}

let order = 0;

/**
 * The state of a hook of `x`'s transaction, keyed: made by `make` and registered to run as one of
 * the transaction's last statements (`run` with that state) the first time, the same state after.
 * Undefined when `x` is not a transaction with hooks (the database itself, or a Kysely made
 * without them): the caller then does the work at once.
 */
export async function atCommit<T>(x: Executor, key: string, phase: number, make: () => T, run: (tx: Executor, state: T) => Promise<unknown>): Promise<T | undefined> {
  if (!x.isTransaction) return undefined;
  const c = await x.getExecutor().provideConnection(async (conn) => conn);
  const p = open.get(c);
  if (!p) return undefined;
  p.tx = x;
  const had = p.hooks.find((h) => h.key === key);
  if (had) return had.state as T;
  const state = make();
  p.hooks.push({ phase, order: order++, key, state, run: (tx) => run(tx, state) });
  return state;
}

/**
 * Makes `text` (one statement without parameters) the very last statement of the transaction of
 * `x`, run after every hook; only from a hook. Where the driver allows, it goes with the COMMIT.
 */
export async function finalStatement(x: Executor, text: string): Promise<void> {
  const c = await x.getExecutor().provideConnection(async (conn) => conn);
  const p = open.get(c);
  if (!p) throw new Error('finalStatement: not in a transaction with commit hooks');
  if (p.final) throw new Error('finalStatement: the transaction has its final statement already');
  p.final = text;
}
