import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AGENT_ROLES, type AgentRole } from '../../auth/admin.entity';

export const MIN_PASSWORD = 12;
const PASSWORD_RULE = `password must be at least ${MIN_PASSWORD} characters`;

/** A password as this product accepts one: 12 characters or more (a passphrase is best). */
function IsPassword(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MinLength(MIN_PASSWORD, { message: PASSWORD_RULE })(target, key);
    MaxLength(1024)(target, key);
  };
}

export class CreateAgentDto {
  @ApiProperty({ example: 'ana@example.com' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ example: 'Ana' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ enum: AGENT_ROLES, default: 'agent' })
  @IsOptional()
  @IsIn(AGENT_ROLES)
  role?: AgentRole;

  @ApiPropertyOptional({ description: 'Omit it to get a one-time set-password link instead (shown once)' })
  @IsOptional()
  @IsPassword()
  password?: string;
}

export class UpdateAgentDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: AGENT_ROLES })
  @IsOptional()
  @IsIn(AGENT_ROLES)
  role?: AgentRole;
}

export class ResetPasswordDto {
  @ApiPropertyOptional({ description: 'Omit it to get a one-time set-password link instead (shown once)' })
  @IsOptional()
  @IsPassword()
  password?: string;
}

export class UpdateMeDto {
  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  current_password: string;

  @ApiProperty({ description: `At least ${MIN_PASSWORD} characters` })
  @IsPassword()
  new_password: string;
}

export class SetPasswordDto {
  @ApiProperty({ description: 'The token of a set-password link' })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  token: string;

  @ApiProperty({ description: `At least ${MIN_PASSWORD} characters` })
  @IsPassword()
  password: string;
}
