import { Body, Controller, HttpCode, Ip, NotFoundException, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { sign } from 'jsonwebtoken';
import { Public } from '../auth/auth.decorators';
import { USER_AUDIENCE } from '../auth/identity';
import { RateLimiter } from '../common/rate-limiter.service';
import { AppConfigService } from '../config/app-config.service';

export class DemoTokenDto {
  @IsEmail()
  @MaxLength(320)
  email: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

/**
 * Stands in for a host application's backend on the demo page: it signs a user token the way
 * an integrator's server would. Off unless DEMO_MODE is on (never by default in production).
 */
@ApiTags('demo')
@Public()
@Controller('demo')
export class DemoController {
  constructor(
    private readonly config: AppConfigService,
    private readonly limiter: RateLimiter,
  ) {}

  @ApiOperation({ summary: 'A user token for the demo page (DEMO_MODE only)' })
  @Post('token')
  @HttpCode(200)
  async token(@Body() body: DemoTokenDto, @Ip() ip: string): Promise<{ token: string }> {
    if (!this.config.get('demoMode')) throw new NotFoundException();
    await this.limiter.consume(`demo-token:${ip}`, 60, 60_000);
    const email = body.email.trim().toLowerCase();
    const token = sign({ email, name: body.name?.trim() || undefined }, this.config.get('widgetKeys').fallback, {
      algorithm: 'HS256',
      audience: USER_AUDIENCE,
      subject: `demo:${email}`,
      expiresIn: '12h',
    });
    return { token };
  }
}
