import { AckErrorCode } from '../../core/api.types';

/** What a reply that could not be sent says under its bubble. */
export function failureText(error: AckErrorCode | 'http' | null): string {
  switch (error) {
    case 'invalid_content':
      return 'Not sent: a message is 1 to 5000 characters.';
    case 'rate_limited':
      return 'Not sent: too many messages, wait a moment.';
    case 'forbidden':
    case 'not_found':
      return 'Not sent: this chat is not available.';
    default:
      return 'Not sent.';
  }
}
