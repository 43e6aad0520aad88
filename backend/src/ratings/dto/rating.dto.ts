import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, registerDecorator } from 'class-validator';
import { isStorableText } from '../../common/text';

export const MAX_RATING_COMMENT = 1000;

function IsRatingComment(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRatingComment',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `comment must be text of at most ${MAX_RATING_COMMENT} characters` },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim().length <= MAX_RATING_COMMENT && isStorableText(value),
      },
    });
}

export class CreateRatingDto {
  @ApiProperty({ minimum: 1, maximum: 5, description: '1 (very bad) to 5 (very good), a whole number' })
  @IsInt({ message: 'score must be a whole number from 1 to 5' })
  @Min(1, { message: 'score must be a whole number from 1 to 5' })
  @Max(5, { message: 'score must be a whole number from 1 to 5' })
  score: number;

  @ApiPropertyOptional({ maxLength: MAX_RATING_COMMENT, description: 'Plain text; blank counts as none' })
  @IsOptional()
  @IsRatingComment()
  comment?: string;
}
