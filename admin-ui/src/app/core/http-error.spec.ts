import { HttpErrorResponse } from '@angular/common/http';
import { errorMessage } from './http-error';

const response = (status: number, error: unknown) =>
  new HttpErrorResponse({ status, error, statusText: 'x' });

describe('errorMessage', () => {
  it("words the server's message as a sentence, joining a validator's list", () => {
    expect(
      errorMessage(
        response(409, { message: 'The last active admin cannot be demoted or deactivated' }),
      ),
    ).toBe('The last active admin cannot be demoted or deactivated.');
    expect(
      errorMessage(
        response(400, {
          message: ['email must be an email', 'password must be at least 12 characters'],
        }),
      ),
    ).toBe('Email must be an email. Password must be at least 12 characters.');
    expect(
      errorMessage(response(400, { message: 'url must start with https:// or http://' })),
    ).toBe('URL must start with https:// or http://.');
    // A host name stays as the admin typed it.
    expect(
      errorMessage(
        response(400, { message: 'crm.example.com resolves to 10.0.0.5, a private address' }),
      ),
    ).toBe('crm.example.com resolves to 10.0.0.5, a private address.');
  });

  it('falls back where the server says nothing useful: no body, a 5xx, no connection', () => {
    expect(errorMessage(response(400, null), 'Fallback.')).toBe('Fallback.');
    expect(errorMessage(response(500, { message: 'Internal server error' }), 'Fallback.')).toBe(
      'Fallback.',
    );
    expect(errorMessage(response(0, null))).toBe('Cannot reach the server. Check your connection.');
    expect(errorMessage(new Error('boom'), 'Fallback.')).toBe('Fallback.');
  });
});
