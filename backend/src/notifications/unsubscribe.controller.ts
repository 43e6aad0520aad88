import { Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';
import { UnsubscribeTokens } from './unsubscribe-tokens';

@ApiTags('email')
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: UnsubscribeTokens,
    private readonly config: AppConfigService,
  ) {}

  @ApiOperation({ summary: 'Stop unread-reply emails for the user the signed link names' })
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(@Query('token') token: unknown): Promise<string> {
    await this.unsubscribe(token);
    const app = escapeHtml(this.config.get('appName'));
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:480px;margin:48px auto;padding:0 16px">
<h1>You're unsubscribed</h1><p>You will no longer get emails about unread replies from ${app} Support.
Replies still wait for you in the chat.</p></body></html>`;
  }

  /** RFC 8058 one-click unsubscribe, which mail clients send as a POST. */
  @Post()
  @HttpCode(200)
  async oneClick(@Query('token') token: unknown): Promise<{ unsubscribed: true }> {
    await this.unsubscribe(token);
    return { unsubscribed: true };
  }

  private async unsubscribe(token: unknown): Promise<void> {
    const userId = this.tokens.read(token);
    if (!userId) throw new DomainError('invalid_content', 'This unsubscribe link is not valid');
    await this.db.query(`UPDATE users SET unsubscribed_at = COALESCE(unsubscribed_at, now()), updated_at = now() WHERE id = $1`, [userId]);
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
