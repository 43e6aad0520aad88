import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { Router, RouterOutlet } from '@angular/router';
import { AuthService } from '../core/auth.service';
import { NotifierService } from '../core/notifier.service';
import { SocketService } from '../core/socket.service';
import { ChatsStore } from './chats.store';

const STATUS_LABEL = {
  online: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

/** The logged-in frame: connection, alerts, the agent and logout around the chat pages. */
@Component({
  selector: 'app-chats-shell',
  imports: [RouterOutlet],
  providers: [ChatsStore],
  templateUrl: './chats-shell.component.html',
  styleUrl: './chats-shell.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatsShellComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly socket = inject(SocketService);
  private readonly notifier = inject(NotifierService);
  private readonly store = inject(ChatsStore);
  private readonly title = inject(Title);

  protected readonly admin = this.auth.admin;
  protected readonly status = this.socket.status;
  protected readonly statusLabel = (): string => STATUS_LABEL[this.status()];
  protected readonly permission = this.notifier.permission;

  constructor() {
    const token = this.auth.token();
    if (token) this.socket.connect(token);
    void this.store.ensureLoaded('active');

    effect(() => {
      const unread = this.store.unreadCount();
      this.title.setTitle(unread > 0 ? `(${unread}) Support Chats` : 'Support Chats');
    });

    this.socket
      .on('new_user_message')
      .pipe(takeUntilDestroyed())
      .subscribe((event) => {
        const known = this.store.find(event.chat_id);
        this.notifier.notify(
          {
            chatId: event.chat_id,
            from: known?.user_name ?? event.user_email,
            text: event.message.content,
          },
          () => void this.router.navigate(['/chats', event.chat_id]),
        );
      });
    this.socket.unauthorized$.pipe(takeUntilDestroyed()).subscribe(() => this.logout());
    inject(DestroyRef).onDestroy(() => this.socket.disconnect());
  }

  protected enableAlerts(): void {
    void this.notifier.enable();
  }

  protected logout(): void {
    this.socket.disconnect();
    this.auth.logout();
    void this.router.navigate(['/login']);
  }
}
