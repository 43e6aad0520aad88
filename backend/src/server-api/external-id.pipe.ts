import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { isStorableText } from '../common/text';

/** The user token's `sub`, as the token verifier accepts it: 1 to 255 characters of storable text. */
@Injectable()
export class ExternalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > 255 || !isStorableText(value)) {
      throw new BadRequestException('external_id must be the user token\'s sub: 1 to 255 characters');
    }
    return value;
  }
}
