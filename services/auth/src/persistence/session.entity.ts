import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A login, and the family of refresh tokens it rotates through. Revoking it (logout, or a
 * rotated token presented again) ends every token of the family at once.
 */
@Entity({ name: 'sessions' })
export class SessionRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('text', { name: 'revoked_reason', nullable: true })
  revokedReason!: SessionRevocationReason | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;
}

export type SessionRevocationReason = 'LOGOUT' | 'REFRESH_TOKEN_REUSED';
