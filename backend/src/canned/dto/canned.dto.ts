import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsShortName } from '../../common/names';
import { IsMessageContent, MAX_CONTENT } from '../../messages/dto/message.dto';

/** `/refund`, `refund` and `/Refund` are one shortcut: stored lower case with its slash. */
export const SHORTCUT = /^\/[a-z0-9][a-z0-9_-]{0,31}$/;
const SHORTCUT_RULE = 'shortcut must be / and 1 to 32 letters, digits, - or _, such as /refund';

export function normalizeShortcut(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  return v.startsWith('/') ? v : `/${v}`;
}

export class CreateCannedDto {
  @ApiProperty({ maxLength: 100, example: 'Refund policy' })
  @IsShortName(100, 'title')
  title: string;

  @ApiProperty({ example: '/refund', description: 'Unique whatever its case; the slash may be left out' })
  @Transform(({ value }) => normalizeShortcut(value))
  @IsString()
  @Matches(SHORTCUT, { message: SHORTCUT_RULE })
  shortcut: string;

  @ApiProperty({
    maxLength: MAX_CONTENT,
    example: 'Hi {{user.name}}, {{agent.name}} here: refunds take 5 days.',
    description: 'Variables: `{{user.name}}`, `{{user.email}}`, `{{agent.name}}`; anything else in braces is left as written',
  })
  @IsMessageContent()
  content: string;
}

export class UpdateCannedDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsShortName(100, 'title')
  title?: string;

  @ApiPropertyOptional({ example: '/refund' })
  @IsOptional()
  @Transform(({ value }) => normalizeShortcut(value))
  @IsString()
  @Matches(SHORTCUT, { message: SHORTCUT_RULE })
  shortcut?: string;

  @ApiPropertyOptional({ maxLength: MAX_CONTENT })
  @IsOptional()
  @IsMessageContent()
  content?: string;
}

export class CannedSearchQuery {
  @ApiPropertyOptional({ description: 'Words to find in the shortcut, title or text (any case); all replies when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ExpandCannedDto {
  @ApiProperty({ example: '/refund', description: 'The slash may be left out' })
  @Transform(({ value }) => normalizeShortcut(value))
  @IsString()
  @MaxLength(33, { message: 'No canned reply has this shortcut' })
  shortcut: string;
}
