import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { isStorableText } from '../../common/text';

export const MAX_CONTENT = 5000;

/** Plain text of 1 to 5000 characters once trimmed; anything else is `invalid_content`. */
export function IsMessageContent(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMessageContent',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `content must be text of 1 to ${MAX_CONTENT} characters`, ...options },
      validator: {
        // NUL and unpaired surrogates are refused too: Postgres cannot keep them as sent.
        validate: isMessageContent,
      },
    });
}

export function isMessageContent(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const length = value.trim().length;
  return length >= 1 && length <= MAX_CONTENT && isStorableText(value);
}

export class SendMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_CONTENT })
  @IsMessageContent()
  content: string;

  @ApiPropertyOptional({ description: 'Idempotency key: a resend with the same key returns the same message' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'client_id must be 1 to 64 letters, digits or . _ : -' })
  client_id?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Agents only: an internal note, which the user never sees, is never emailed about and never counts as unread',
  })
  @IsOptional()
  @IsBoolean()
  private?: boolean;
}

export class MessagesPageQuery {
  @ApiPropertyOptional({ description: 'Page back from this message (exclusive)' })
  @IsOptional()
  @IsUUID('all')
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class MessagesAfterQuery {
  @ApiProperty({ description: 'The last message the client has; answers what came after it, oldest first' })
  @IsUUID('all')
  after: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class MarkReadDto {
  @ApiPropertyOptional({ description: 'Mark only up to this message, the newest the reader has seen' })
  @IsOptional()
  @IsUUID('all')
  up_to?: string;
}
