import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

export const MIN_QUERY = 2;
export const MAX_QUERY = 200;
export const SEARCH_PAGE = 20;

export class SearchQuery {
  @ApiProperty({
    minLength: MIN_QUERY,
    maxLength: MAX_QUERY,
    example: 'invoice "refund request" -spam',
    description:
      'Words (stemmed: "invoices" finds "invoice"), "a phrase" in quotes, `or`, `-word` to exclude; ' +
      "also a part of a user's email or name, in any case",
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'q must be text' })
  @Length(MIN_QUERY, MAX_QUERY, { message: `q must be ${MIN_QUERY} to ${MAX_QUERY} characters` })
  q: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: SEARCH_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class AroundQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'true', description: "`false`: do not record the agent's view" })
  @IsOptional()
  @IsIn(['true', 'false'])
  view?: 'true' | 'false';
}
