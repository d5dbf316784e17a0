// Table types of on-call rotas, overrides and swaps. src/db/schema.ts's Database extends OncallTables.
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type SwapStatus = 'requested' | 'accepted' | 'declined';

/** A rota: its zone, pattern (checked by src/modules/oncall/pattern.ts), ordered members and anchor date. */
export interface OncallRotaTable {
  id: Generated<string>;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  timeZone: string;
  pattern: Json<unknown>;
  members: Json<string[]>;
  anchorDate: string;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  version: ColumnType<number, number | undefined, number>;
}

export interface OncallOverrideTable {
  id: Generated<string>;
  rotaId: string;
  userId: string;
  startsAt: Timestamp;
  endsAt: Timestamp;
  note: ColumnType<string, string | undefined, string>;
  createdBy: string | null;
  createdAt: Timestamp;
}

export interface OncallSwapTable {
  id: Generated<string>;
  rotaId: string;
  shiftStart: Timestamp;
  shiftEnd: Timestamp;
  fromUserId: string;
  toUserId: string;
  status: SwapStatus;
  note: ColumnType<string, string | undefined, string>;
  requestedBy: string | null;
  requestedAt: Timestamp;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
}

/** Every table of this feature, keyed by its camelCase name. */
export interface OncallTables {
  oncallRota: OncallRotaTable;
  oncallOverride: OncallOverrideTable;
  oncallSwap: OncallSwapTable;
}

export type OncallRotaRow = Selectable<OncallRotaTable>;
export type OncallOverrideRow = Selectable<OncallOverrideTable>;
export type OncallSwapRow = Selectable<OncallSwapTable>;
