import 'reflect-metadata';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { ConfigError, loadConfig } from '@bvs/platform';
import { DataSource } from 'typeorm';
import { auditLedger } from './ledger-audit';

class AuditEnv {
  @Expose()
  @Matches(/^postgres(ql)?:\/\/.+\/[A-Za-z0-9_]+$/, { message: 'DATABASE_URL must be a postgres:// URL that names the wallet database' })
  DATABASE_URL!: string;

  /** When set, a PAYMENT still PENDING after this many seconds counts as a finding. */
  @Expose()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  PENDING_WINDOW_SECONDS?: number;
}

/**
 * `npm run ledger:audit` (or `nx run wallet:audit`): checks the live wallet database against the
 * ledger invariants, prints one line per wallet that drifts, and exits 1 if any does.
 */
async function main(): Promise<number> {
  const env = loadConfig(AuditEnv, process.env);
  const dataSource = await new DataSource({ type: 'postgres', url: env.DATABASE_URL }).initialize();
  try {
    const report = await auditLedger(dataSource, { pendingWindowSeconds: env.PENDING_WINDOW_SECONDS });
    for (const finding of report.findings) {
      process.stdout.write(`DRIFT wallet ${finding.walletId} [${finding.check}] ${finding.detail}\n`);
    }
    const drifting = new Set(report.findings.map((finding) => finding.walletId)).size;
    process.stdout.write(`ledger audit: ${report.walletsChecked} wallets checked, ${drifting} drifting, ${report.findings.length} findings\n`);
    return report.findings.length === 0 ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ledger audit failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
