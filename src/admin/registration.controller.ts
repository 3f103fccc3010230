import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { RegistrationMode, RegistrationService } from './registration.service';

/** `GET /auth/registration`. */
export class RegistrationModeDto {
  @ApiProperty({ enum: ['open', 'invite', 'closed'], description: 'open: anyone may register; invite: POST /auth/register needs an invite_code; closed: nobody may' })
  mode: RegistrationMode;
}

/**
 * The registration mode for sign-up forms, before anyone submits one: a client asks for an invite
 * code up front in `invite` mode and offers no sign-up in `closed` mode. Public, like registering;
 * the mode is no secret, since a registration attempt reveals it too.
 */
@ApiTags('auth')
@Public()
@Controller('auth')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  /** The mode in force (the administrators' setting, else REGISTRATION). */
  @Get('registration')
  @ApiOperation({ summary: 'Who may register now: open, invite (an invite_code is needed) or closed' })
  @ApiOkResponse({ type: RegistrationModeDto })
  @ApiErrors(429)
  async mode(): Promise<RegistrationModeDto> {
    return { mode: await this.registration.mode() };
  }
}
