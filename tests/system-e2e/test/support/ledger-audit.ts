import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkBooks, WORKSPACE_ROOT } from '@bvs/platform/testing';
import type { RunningSystem } from './system';

/**
 * Runs the wallet's ledger audit (`npm run ledger:audit`) on the system's live wallet database and
 * expects a clean book; with billing running, also that wallet and billing agree one to one and
 * that the wallets hold what came in minus what completed payments spent (`checkBooks`).
 */
export async function expectBooksBalance(system: RunningSystem): Promise<void> {
  const script = path.join(WORKSPACE_ROOT, 'dist/services/wallet/src/audit/main.js');
  const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...process.env, DATABASE_URL: system.databaseUrl('wallet') } });
  expect(stdout).toMatch(/0 drifting, 0 findings/);
  if (system.instances('billing').length === 0) return;
  const report = await checkBooks(system.databaseUrl('wallet'), system.databaseUrl('billing'));
  expect(report.findings).toEqual([]);
}
