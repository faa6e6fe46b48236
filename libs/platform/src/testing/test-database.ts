import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { readInfraAddresses } from './infrastructure';

/**
 * A fresh, empty database per test file, so files can run in any order and leave nothing behind.
 * Migrations run in it exactly as they would in production.
 */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly adminUrl: string,
  ) {}

  static async create(label: string): Promise<TestDatabase> {
    const adminUrl = readInfraAddresses().DATABASE_ADMIN_URL;
    const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new TestDatabase(name, url.toString(), adminUrl);
  }

  async drop(): Promise<void> {
    await withAdmin(this.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
