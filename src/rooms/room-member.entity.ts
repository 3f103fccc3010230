import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member's role in a room, strongest first. */
export type RoomRole = 'owner' | 'admin' | 'member';

/** Membership of a user in a room, with the read pointer (`last_read_seq`) used for unread counts. */
@Entity('room_members')
export class RoomMemberEntity {
  @PrimaryColumn({ name: 'room_id', type: 'uuid' }) roomId: string;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'varchar', length: 8 }) role: RoomRole;
  @Column({ name: 'last_read_seq', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  lastReadSeq: number;
  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'now()' }) joinedAt: Date;
}
