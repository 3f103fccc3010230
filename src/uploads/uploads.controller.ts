import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { UploadDto } from './uploads.dto';
import { UploadsService } from './uploads.service';

/** Attachments: upload a file, download one you may see. */
@ApiTags('uploads')
@ApiBearerAuth()
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  /** Stores one file; attach it to a message with `attachment_ids`. */
  @Post()
  @ApiOperation({
    summary: 'Upload a file (multipart field "file", at most UPLOAD_MAX_BYTES)',
    description:
      'The type is decided from the content only: PNG, JPEG, GIF, WebP, PDF, MP3, Ogg, WAV, WebM audio, or plain UTF-8 text ' +
      '(HTML, SVG and XML are refused). The name is sanitised and gets the extension of the detected type.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiCreatedResponse({ type: UploadDto })
  @ApiErrors(400, 401, 413, 415)
  upload(@CurrentUser() me: AuthPrincipal, @Req() request: FastifyRequest): Promise<UploadDto> {
    return this.uploads.receive(me.userId, request);
  }

  /** Serves a file to its uploader and to members of rooms where it was posted. */
  @Get(':id')
  @ApiOperation({ summary: 'Download an upload (its uploader, or members of a room where it was posted)' })
  @ApiOkResponse({ description: 'The bytes, with the stored Content-Type, Content-Disposition and X-Content-Type-Options: nosniff' })
  @ApiErrors(400, 401, 404)
  async download(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Res() reply: FastifyReply): Promise<void> {
    const { stream, headers } = await this.uploads.download(me.userId, id);
    void reply.headers(headers).send(stream);
  }
}
