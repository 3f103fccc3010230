import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What a system line records. */
export const SYSTEM_EVENTS = ['member_joined', 'member_left', 'member_removed', 'room_renamed'] as const;
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/**
 * The machine-readable payload of a `type: "system"` message (stored in messages.system, shown as
 * Message.system). Clients render it in their own words; the server stores no text for it.
 */
export class SystemLineDto {
  @ApiProperty({
    enum: SYSTEM_EVENTS,
    description:
      'member_joined: user_id joined (POST /rooms/:id/join) or was added by actor_id (POST /rooms/:id/members, POST /rooms member_ids); ' +
      'member_left: user_id left; member_removed: user_id was removed by actor_id; room_renamed: user_id renamed the room to name',
  })
  event: SystemEvent;

  @ApiProperty({ format: 'uuid', description: 'The member the line is about (the renamer for room_renamed)' })
  user_id: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Who did it, when not user_id themselves: the adder (member_joined) or the remover (member_removed)' })
  actor_id?: string;

  @ApiPropertyOptional({ description: 'room_renamed only: the new name' })
  name?: string;
}
