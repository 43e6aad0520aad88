import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { IsShortName } from '../../common/names';
import { IsMessageContent, MAX_CONTENT } from '../../messages/dto/message.dto';

export const MAX_BOT_NAME = 50;

export class ServerMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_CONTENT, example: 'Your refund was issued today.' })
  @IsMessageContent()
  content: string;

  @ApiPropertyOptional({ example: 'crm-4711', description: 'Idempotency key: a retry with the same key returns the same message' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'client_id must be 1 to 64 letters, digits or . _ : -' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'Post as this agent (an active one; 400 otherwise). Without it the message comes from a bot.' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID('all', { message: 'agent_id must be an agent id' })
  agent_id?: string;

  @ApiPropertyOptional({
    maxLength: MAX_BOT_NAME,
    example: 'Billing bot',
    description: "The bot's name shown with the message when no `agent_id` is given; defaults to the API key's name",
  })
  @IsOptional()
  @IsShortName(MAX_BOT_NAME, 'sender_name')
  sender_name?: string;
}
