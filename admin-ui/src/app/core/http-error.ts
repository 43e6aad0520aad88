import { HttpErrorResponse } from '@angular/common/http';

/**
 * What to tell the agent about a failed call: the server's own message where it gives one (it
 * states the rule that was broken, e.g. the password length or the last admin), else the fallback.
 */
export function errorMessage(err: unknown, fallback = 'Something went wrong. Try again.'): string {
  if (!(err instanceof HttpErrorResponse)) return fallback;
  if (err.status === 0) return 'Cannot reach the server. Check your connection.';
  if (err.status >= 500) return fallback;
  const body: unknown = err.error;
  const message =
    typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : null;
  const parts = (Array.isArray(message) ? message : [message]).filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts.length > 0 ? parts.map(sentence).join(' ') : fallback;
}

/** Field names that read as initials, written as people write them. */
const INITIALS: Record<string, string> = { url: 'URL' };

// Validation messages start with the field's name in lower case ("password must be…"); one
// that starts with a host name or an address ("crm.example.com resolves to…") keeps it as is.
function sentence(text: string): string {
  const trimmed = text.trim();
  const field = /^[a-z_]+(?=\s|$)/.exec(trimmed)?.[0];
  const capital = field
    ? (INITIALS[field] ?? field.charAt(0).toUpperCase() + field.slice(1)) +
      trimmed.slice(field.length)
    : trimmed;
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
