import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ReportQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'First day, in `tz` (default: 29 days before `to`)' })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date as YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last day, included, in `tz` (default: today)' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date as YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ description: "An agent's id: their messages, first responses, resolutions and ratings" })
  @IsOptional()
  @IsUUID('all', { message: 'agent must be an agent id' })
  agent?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', description: 'IANA time zone for days and hours (default UTC)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_+\-/]{1,64}$/, { message: 'tz must be an IANA time zone such as Europe/Paris' })
  tz?: string;
}
