import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Admin } from './admin.entity';
import { AdminsService } from './admins.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AgentJwtStrategy, UserJwtStrategy } from './jwt.strategies';
import { TokenAuthGuard } from './token-auth.guard';
import { TokenVerifier } from './token-verifier.service';

@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([Admin])],
  controllers: [AuthController],
  providers: [
    AdminsService,
    AuthService,
    TokenVerifier,
    UserJwtStrategy,
    AgentJwtStrategy,
    { provide: APP_GUARD, useClass: TokenAuthGuard },
  ],
  exports: [TokenVerifier, AdminsService],
})
export class AuthModule {}
