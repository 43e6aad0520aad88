import {
  ChangeDetectionStrategy,
  Component,
  WritableSignal,
  computed,
  inject,
  signal,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../core/auth.service';
import { errorMessage } from '../core/http-error';
import { initials } from '../core/initials';
import { SocketService } from '../core/socket.service';
import { ProfileApi } from './profile-api.service';

/** The signed-in agent's own name and password; every agent has this page, admins or not. */
@Component({
  selector: 'app-profile',
  templateUrl: './profile.component.html',
  styleUrl: './profile.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProfileComponent {
  private readonly api = inject(ProfileApi);
  private readonly auth = inject(AuthService);
  private readonly socket = inject(SocketService);

  protected readonly admin = this.auth.admin;
  protected readonly displayName = computed(() => {
    const me = this.admin();
    return me ? me.name || me.email : '';
  });
  protected readonly initials = computed(() => initials(this.displayName()));

  protected readonly name = signal(this.admin()?.name ?? '');
  protected readonly savingName = signal(false);
  protected readonly nameError = signal<string | null>(null);
  protected readonly nameNotice = signal('');

  protected readonly currentPassword = signal('');
  protected readonly newPassword = signal('');
  protected readonly repeatPassword = signal('');
  protected readonly savingPassword = signal(false);
  protected readonly passwordError = signal<string | null>(null);
  protected readonly passwordNotice = signal('');

  protected setText(target: WritableSignal<string>, event: Event): void {
    target.set((event.target as HTMLInputElement).value);
  }

  protected async rename(event: Event): Promise<void> {
    event.preventDefault();
    if (this.savingName()) return;
    const name = this.name().trim();
    this.nameNotice.set('');
    if (!name) {
      this.nameError.set('Enter a name.');
      return;
    }
    this.savingName.set(true);
    this.nameError.set(null);
    try {
      const me = await firstValueFrom(this.api.rename(name));
      this.auth.updateProfile(me);
      this.name.set(me.name);
      this.nameNotice.set('Saved. Your next replies carry this name.');
    } catch (err) {
      this.nameError.set(errorMessage(err));
    } finally {
      this.savingName.set(false);
    }
  }

  protected async changePassword(event: Event): Promise<void> {
    event.preventDefault();
    if (this.savingPassword()) return;
    this.passwordNotice.set('');
    if (!this.currentPassword() || !this.newPassword()) {
      this.passwordError.set('Enter your current password and a new one.');
      return;
    }
    if (this.newPassword() !== this.repeatPassword()) {
      this.passwordError.set('The new password and its repetition differ.');
      return;
    }
    this.savingPassword.set(true);
    this.passwordError.set(null);
    try {
      const token = await firstValueFrom(
        this.api.changePassword(this.currentPassword(), this.newPassword()),
      );
      // The server has ended every session of this agent, this tab's too: carry on with the
      // new token, over HTTP and on the socket's reconnect.
      this.auth.replaceToken(token);
      this.socket.setToken(token.access_token);
      this.currentPassword.set('');
      this.newPassword.set('');
      this.repeatPassword.set('');
      this.passwordNotice.set(
        'Your password is changed. Any other console you had open has been signed out.',
      );
    } catch (err) {
      this.passwordError.set(errorMessage(err));
    } finally {
      this.savingPassword.set(false);
    }
  }
}
