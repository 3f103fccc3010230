import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Room visibility: public rooms are listed and joinable, private ones invisible to outsiders. */
export type RoomType = 'public' | 'private' | 'dm';

/** A room; `last_seq` is the per-room counter that orders its messages and changes. */
@Entity('rooms')
export class RoomEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 8 }) type: RoomType;
  @Column({ type: 'varchar', length: 80, nullable: true }) name: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @Column({ name: 'owner_id', type: 'uuid', nullable: true }) ownerId: string | null;
  @Column({ name: 'dm_key', type: 'varchar', length: 80, nullable: true }) dmKey: string | null;
  @Column({ name: 'last_seq', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  lastSeq: number;
  @Column({ name: 'member_count', type: 'int', default: 0 }) memberCount: number;
  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' }) lastActivityAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
