import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { Router } from '@angular/router';
import { AuthService } from '../core/auth.service';

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

  protected readonly email = signal('');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const email = this.email().trim();
    const password = this.password();
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

  protected onInput(field: 'email' | 'password', event: Event): void {
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
    if (err.status === 401 || err.status === 400) return 'Wrong email or password.';
    if (err.status === 429) return 'Too many attempts. Wait a minute and try again.';
    if (err.status === 0) return 'Cannot reach the server. Check your connection.';
  }
  return 'Something went wrong. Try again.';
}
