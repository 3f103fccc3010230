import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A revoked access token (`kind = 'jti'`) or a revoked session (`kind = 'sid'`), kept until the last
 * access token it could affect has expired (`expires_at`), then purged.
 */
@Entity('revoked_tokens')
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ type: 'varchar', length: 8 }) kind: 'jti' | 'sid';
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' }) revokedAt: Date;
}
