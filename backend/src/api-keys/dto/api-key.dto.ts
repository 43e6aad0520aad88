import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { IsShortName } from '../../common/names';
import type { ApiKeyScope } from '../../contracts/wire';

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write', 'privacy'];

export class CreateApiKeyDto {
  @ApiProperty({ maxLength: 80, example: 'CRM sync', description: 'What the key is for; also the default name of bot messages it posts' })
  @IsShortName(80, 'name')
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['read', 'write'] })
  @IsArray({ message: 'scopes must be a list of read, write, privacy' })
  @ArrayMinSize(1, { message: 'scopes must name at least one of read, write, privacy' })
  @ArrayMaxSize(3, { message: 'scopes must be a list of read, write, privacy' })
  @IsIn(API_KEY_SCOPES, { each: true, message: 'scopes must each be read, write or privacy' })
  scopes: ApiKeyScope[];
}
