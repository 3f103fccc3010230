/**
 * Re-exports of the message DTOs (dto/message.dto.ts), mappers (message.mapper.ts) and the message
 * SQL (messages.repository.ts), which used to live together here; kept only so that branches written
 * before the split still compile. New code imports from those modules.
 */
export { AttachmentDto, MessageDto, MessageType, ReactionDto, ReplyToDto } from './dto/message.dto';
export { toAttachmentDto, toMessageDto, uploadUrl, withMyReactions } from './message.mapper';
export { AttachmentRow, MESSAGE_JOINS, messageColumns, MessageRow, ReactionRow } from './messages.repository';
