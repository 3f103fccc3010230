import { ApiProperty } from '@nestjs/swagger';

/** A stored upload (API.md `POST /uploads` response and message `attachments[]`). */
export class UploadDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '/api/v1/uploads/3f0c…', description: 'GET it with the Bearer token' }) url: string;
  @ApiProperty({ example: 'image/png', description: 'Decided from the content (magic bytes), never from the name' }) mime: string;
  @ApiProperty({ description: 'bytes' }) size: number;
  @ApiProperty({ example: 'photo.png', description: 'The client\'s file name, sanitised; the extension follows the type' }) name: string;
}
