import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isStorableText } from './text';

/**
 * A short name people pick (a label, a canned reply's title): text that is not blank, at most
 * `max` characters once trimmed, with no control characters, which would render as nothing.
 */
export function IsShortName(max: number, field: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isShortName',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${field} must be 1 to ${max} characters, not blank`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.trim().length >= 1 &&
          value.trim().length <= max &&
          isStorableText(value) &&
          !/\p{Cc}/u.test(value),
      },
    });
}

/** Whether a failed query broke a unique index: the duplicate the caller should hear about. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
