import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';

export class AssignDto {
  @ApiProperty({ nullable: true, description: 'The agent to assign the chat to; null to unassign' })
  @ValidateIf((_, v) => v !== null)
  @IsUUID('all')
  agent_id: string | null;
}

export class AssignmentSettingsDto {
  @ApiPropertyOptional({ description: 'Hand new and reopened chats to online agents automatically' })
  @IsOptional()
  @IsBoolean()
  auto_assign?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'Open chats an agent may be given automatically' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_open_per_agent?: number;
}

export interface AssignmentSettings {
  auto_assign: boolean;
  max_open_per_agent: number;
}
