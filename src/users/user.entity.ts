import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A person with an account. Deleted accounts are anonymised in place (username becomes a tombstone). */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64 }) username: string;
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ name: 'password_hash', type: 'varchar', length: 100, nullable: true }) passwordHash: string | null;
  @Column({ name: 'display_name', type: 'varchar', length: 64 }) displayName: string;
  @Column({ name: 'avatar_url', type: 'text', nullable: true }) avatarUrl: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) bio: string | null;
  @Column({ type: 'varchar', length: 140, nullable: true }) status: string | null;
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true }) lastSeenAt: Date | null;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
  /** Server administrator (the admin CLI and API); not a room role. */
  @Column({ name: 'is_admin', type: 'boolean', default: false }) isAdmin: boolean;
  /** Set while an administrator has disabled the account: no login, no refresh, no session. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
