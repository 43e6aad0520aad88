import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../core/auth.service';
import { errorMessage } from '../core/http-error';

/**
 * Where a one-time link from an admin lands: the agent chooses their password, then signs in.
 * Public, since they have no password yet; the token in the link is all the server needs.
 */
@Component({
  selector: 'app-set-password',
  imports: [RouterLink],
  templateUrl: './set-password.component.html',
  styleUrl: '../login/login.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SetPasswordComponent {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly auth = inject(AuthService);

  /** The link's token, bound from the query string. */
  readonly token = input<string | undefined>();

  protected readonly password = signal('');
  protected readonly repeat = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  /** Set when someone is signed in in this tab: the login page would send them to the chats. */
  protected readonly done = signal(false);

  protected onInput(field: 'password' | 'repeat', event: Event): void {
    this[field].set((event.target as HTMLInputElement).value);
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy()) return;
    const token = this.token();
    if (!this.password()) {
      this.error.set('Choose a password.');
      return;
    }
    if (this.password() !== this.repeat()) {
      this.error.set('The two passwords differ.');
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      await firstValueFrom(
        this.http.post<void>('/api/auth/set-password', { token, password: this.password() }),
      );
      if (this.auth.isLoggedIn()) this.done.set(true);
      else void this.router.navigate(['/login'], { queryParams: { password: 'set' } });
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.busy.set(false);
    }
  }
}
