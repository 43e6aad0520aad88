import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { IsShortName } from '../../common/names';

export const MAX_LABEL_NAME = 50;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const COLOR_RULE = 'color must be a hex colour such as #1f7aec';

export class CreateLabelDto {
  @ApiProperty({ maxLength: MAX_LABEL_NAME, example: 'Billing', description: 'Unique whatever its case' })
  @IsShortName(MAX_LABEL_NAME, 'name')
  name: string;

  @ApiPropertyOptional({ example: '#1f7aec', default: '#6b7280' })
  @IsOptional()
  @IsString()
  @Matches(COLOR, { message: COLOR_RULE })
  color?: string;
}

export class UpdateLabelDto {
  @ApiPropertyOptional({ maxLength: MAX_LABEL_NAME })
  @IsOptional()
  @IsShortName(MAX_LABEL_NAME, 'name')
  name?: string;

  @ApiPropertyOptional({ example: '#1f7aec' })
  @IsOptional()
  @IsString()
  @Matches(COLOR, { message: COLOR_RULE })
  color?: string;
}

export class ChatLabelDto {
  @ApiProperty({ description: "The label's id (from GET /api/admin/labels)" })
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID('all', { message: 'label_id must be a label id' })
  label_id: string;
}
