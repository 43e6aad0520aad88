import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MessagesPageQuery } from '../../messages/dto/message.dto';

export class ListChatsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false' })
  @IsOptional()
  @IsIn(['true', 'false'])
  archived?: 'true' | 'false';

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: "`me`, `none` (unassigned) or an agent's id; all chats when absent" })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, {
    message: "assignee must be me, none or an agent's id",
  })
  assignee?: string;

  @ApiPropertyOptional({ description: "Only chats carrying this label (its name, any case); an unknown label lists nothing", maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(50, { message: 'label must be at most 50 characters' })
  label?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AgentChatQuery extends MessagesPageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'true', description: "`false`: do not record the agent's view" })
  @IsOptional()
  @IsIn(['true', 'false'])
  view?: 'true' | 'false';
}
