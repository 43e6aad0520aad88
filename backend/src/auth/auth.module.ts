import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Admin } from './admin.entity';
import { AdminsService } from './admins.service';
import { AgentDirectory } from './agent-directory.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AgentJwtStrategy, UserJwtStrategy } from './jwt.strategies';
import { LoginThrottle } from './login-throttle.service';
import { TokenAuthGuard } from './token-auth.guard';
import { TokenVerifier } from './token-verifier.service';

@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([Admin])],
  controllers: [AuthController],
  providers: [
    AgentDirectory,
    AdminsService,
    AuthService,
    LoginThrottle,
    TokenVerifier,
    UserJwtStrategy,
    AgentJwtStrategy,
    { provide: APP_GUARD, useClass: TokenAuthGuard },
  ],
  exports: [TokenVerifier, AdminsService, AgentDirectory, AuthService],
})
export class AuthModule {}
