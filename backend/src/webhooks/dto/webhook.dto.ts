import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { WebhookEventType } from '../../contracts/wire';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events';

const TYPES_RULE = `event_types must name events among ${WEBHOOK_EVENT_TYPES.join(', ')}`;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://crm.example.com/hooks/support',
    description: 'Where to POST. https in production; refused (400, with the reason) when it resolves to a loopback, private, link-local or metadata address.',
  })
  @IsString({ message: 'url must be a URL' })
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['message.created', 'chat.archived'] })
  @IsArray({ message: TYPES_RULE })
  @ArrayNotEmpty({ message: TYPES_RULE })
  @ArrayUnique({ message: 'event_types must not repeat an event' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: TYPES_RULE })
  event_types: WebhookEventType[];

  @ApiPropertyOptional({ default: false, description: 'Send internal notes (private messages) too' })
  @IsOptional()
  @IsBoolean()
  include_private?: boolean;

  @ApiPropertyOptional({ maxLength: 200, example: 'CRM sync' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://crm.example.com/hooks/support' })
  @IsOptional()
  @IsString({ message: 'url must be a URL' })
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray({ message: TYPES_RULE })
  @ArrayNotEmpty({ message: TYPES_RULE })
  @ArrayUnique({ message: 'event_types must not repeat an event' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: TYPES_RULE })
  event_types?: WebhookEventType[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  include_private?: boolean;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ description: 'false pauses deliveries; true re-enables an endpoint (clearing why it was disabled)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's `next_cursor` (a delivery id)" })
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be a next_cursor from an earlier page' })
  cursor?: string;
}

