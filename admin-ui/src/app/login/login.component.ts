import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { Router } from '@angular/router';
import { AuthService } from '../core/auth.service';
import { errorMessage } from '../core/http-error';

@Component({
  selector: 'app-login',
  templateUrl: './login.component.html',
  styleUrl: './login.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  /** Where a 401 interrupted the agent; bound from the query string. */
  readonly returnUrl = input<string | undefined>();
  /** `ended` when the server ended the session (expired, deactivated, password changed elsewhere). */
  readonly session = input<string | undefined>();
  /** `set` after the agent chose a password on the set-password page. */
  readonly password = input<string | undefined>();

  protected readonly notice = computed(() => {
    if (this.password() === 'set') return 'Your password is set. Sign in with it.';
    if (this.session() === 'ended') return 'Your session has ended. Sign in again.';
    return null;
  });

  protected readonly email = signal('');
  protected readonly secret = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const email = this.email().trim();
    const password = this.secret();
    if (!email || !password) {
      this.error.set('Enter your email and password.');
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.auth.login(email, password).subscribe({
      next: () => {
        this.busy.set(false);
        void this.router.navigateByUrl(this.safeReturnUrl());
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(messageFor(err));
      },
    });
  }

  protected onInput(field: 'email' | 'secret', event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this[field].set(value);
  }

  // Only in-app paths: a crafted ?returnUrl=https://… must not bounce the agent off-site.
  private safeReturnUrl(): string {
    const url = this.returnUrl();
    return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login')
      ? url
      : '/chats';
  }
}

function messageFor(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    // The server's words where it has them: "This account is deactivated", or how long to wait.
    if (err.status === 401) return errorMessage(err, 'Wrong email or password.');
    if (err.status === 400) return 'Wrong email or password.';
    if (err.status === 429)
      return errorMessage(err, 'Too many attempts. Wait a minute and try again.');
  }
  return errorMessage(err);
}
