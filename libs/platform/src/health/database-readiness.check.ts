import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadinessCheck } from './readiness-check';

@Injectable()
export class DatabaseReadinessCheck implements ReadinessCheck {
  readonly component = 'database';

  constructor(private readonly dataSource: DataSource) {}

  async probe(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
