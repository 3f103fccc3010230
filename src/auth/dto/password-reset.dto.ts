import { ApiProperty } from '@nestjs/swagger';
import { IsText } from '../../common/validation/text.validators';
import { IsAcceptablePassword } from '../password-policy';

/** Longest reset token text accepted (issued tokens are 43 characters); longer input is 400 before any lookup. */
export const RESET_TOKEN_MAX_CHARS = 256;

/** Body of `POST /auth/password-reset`. */
export class RedeemPasswordResetDto {
  @ApiProperty({ description: 'The one-time token an administrator obtained from POST /admin/users/:id/password-reset' })
  @IsText({ min: 1, max: RESET_TOKEN_MAX_CHARS })
  reset_token: string;

  @ApiProperty({ example: 'correct horse battery staple', description: '8..72 bytes (UTF-8), no control characters, not one of the 1,000 most common passwords' })
  @IsAcceptablePassword()
  new_password: string;
}

/** Answer of `POST /auth/password-reset`. */
export class PasswordResetDoneDto {
  @ApiProperty({ example: true }) reset: true;
}

/** Answer of `POST /admin/users/:id/password-reset`. */
export class PasswordResetIssuedDto {
  @ApiProperty({ description: 'One-time token to hand to the user (shown once; only its hash is stored). Used with POST /auth/password-reset.' })
  reset_token: string;
  @ApiProperty({ format: 'date-time', description: '24 hours after issue' })
  expires_at: string;
}
