import type { ClientBase, QueryResultRow } from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

/** PostgreSQL truncates longer statement names (NAMEDATALEN - 1), which would let two names collide. */
const MAX_NAME_LENGTH = 63;
const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export interface PreparedResult<Row> {
  readonly rows: Row[];
  /** Rows the statement inserted, updated, deleted or returned. */
  readonly rowCount: number;
}

/**
 * A statement of the hot path that each database connection parses and analyzes once, and
 * afterwards only plans, binds and runs. Sent as plain text with parameters, the same statement
 * is parsed and analyzed on every call: a sixth of PostgreSQL's CPU at 80 purchases/s (perf,
 * docs/benchmarks.md, ADR 0014). PostgreSQL keeps a generic plan after five runs only when it
 * costs no more than a custom one, which for a small batch it seldom does, so planning still
 * happens; the statements here are the ones whose plan does not hinge on the values (a key lookup,
 * an unnest join, an insert). A statement of a variable shape never belongs here, since a
 * connection keeps every statement it prepared until it closes.
 *
 * A connection pooler in transaction mode must keep prepared statements per client (PgBouncer
 * 1.21+ with max_prepared_statements), or these fail with "prepared statement does not exist".
 *
 * Names are unique per process: one name given two texts throws at once, not on a connection later.
 */
export class PreparedStatement {
  private static readonly textByName = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    if (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) throw new Error(`prepared statement name ${name} must match ${NAME_PATTERN} and be at most ${MAX_NAME_LENGTH} characters`);
    const known = PreparedStatement.textByName.get(name);
    if (known !== undefined && known !== text) throw new Error(`prepared statement ${name} is already defined with another text`);
    PreparedStatement.textByName.set(name, text);
  }

  /**
   * Runs the statement on the manager's connection (its transaction's, if it has one). Errors are
   * TypeORM's QueryFailedError, as `manager.query` throws, so callers tell a unique violation the same way.
   */
  async run<Row extends QueryResultRow>(manager: EntityManager, parameters: readonly unknown[]): Promise<PreparedResult<Row>> {
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await this.runOn<Row>((await runner.connect()) as ClientBase, parameters);
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
  }

  /** Runs the statement on a connection of the caller's own, such as the outbox relay's session. */
  async runOn<Row extends QueryResultRow>(client: ClientBase, parameters: readonly unknown[]): Promise<PreparedResult<Row>> {
    try {
      const result = await client.query<Row>({ name: this.name, text: this.text, values: [...parameters] });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw error instanceof Error ? new QueryFailedError(this.text, [...parameters], error) : error;
    }
  }
}
