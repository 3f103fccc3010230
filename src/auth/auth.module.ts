import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { RoomsModule } from '../rooms/rooms.module';
import { AuthController } from './auth.controller';
import { AuthLimiter } from './auth-limiter';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { JWT_ALGORITHM, jwtKey, TokenService } from './token.service';

/** Accounts, sessions and tokens. */
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject: given a string, jsonwebtoken re-parses it on every sign and verify (first as
        // a PEM key, which throws), ~60× the cost of the HMAC itself (docs/performance.md).
        secret: jwtKey(config.jwtSecret) as unknown as string,
        signOptions: { algorithm: JWT_ALGORITHM },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
    UsersModule,
    RoomsModule,
  ],
  controllers: [AuthController],
  providers: [AuthService, SessionsService, TokenService, JwtStrategy, SessionsRepository, PasswordHasher, AuthLimiter],
  exports: [AuthService, TokenService, AuthLimiter, SessionsService, SessionsRepository, PasswordHasher],
})
export class AuthModule {}
