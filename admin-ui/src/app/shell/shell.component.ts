import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  computed,
  effect,
  inject,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { filter, map, startWith } from 'rxjs';
import { Title } from '@angular/platform-browser';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ChatsStore } from '../chats/chats.store';
import { AuthService } from '../core/auth.service';
import { initials } from '../core/initials';
import { NotifierService } from '../core/notifier.service';
import { SocketService } from '../core/socket.service';
import { LabelsCatalogue } from '../chats/chat-list/labels-catalogue.service';
import { PresenceStore } from './presence.store';
import { SearchBoxComponent } from '../search/search-box.component';
import { AdminMenuComponent } from './admin-menu.component';

const STATUS_LABEL = {
  online: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

const PRESENCE_LABEL = { online: 'Online', away: 'Away', offline: 'Offline' } as const;

/**
 * The logged-in frame around every page (chats, team, profile): the connection, alerts, the
 * agent and logout. It owns the chat lists, so the tab title and alerts work on every page.
 */
@Component({
  selector: 'app-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, SearchBoxComponent, AdminMenuComponent],
  providers: [ChatsStore, LabelsCatalogue, PresenceStore],
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:click)': 'closeTeamPresenceOutside($event)' },
})
export class ShellComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly socket = inject(SocketService);
  private readonly notifier = inject(NotifierService);
  private readonly store = inject(ChatsStore);
  private readonly title = inject(Title);

  protected readonly admin = this.auth.admin;
  protected readonly isAdmin = this.auth.isAdmin;
  protected readonly agentName = computed(() => {
    const agent = this.admin();
    return agent ? agent.name || agent.email : '';
  });
  protected readonly agentInitials = computed(() => initials(this.agentName()));
  protected readonly status = this.socket.status;
  protected readonly statusLabel = (): string => STATUS_LABEL[this.status()];
  protected readonly permission = this.notifier.permission;
  private readonly presence = inject(PresenceStore);
  protected readonly team = this.presence.team;
  protected readonly onlineCount = this.presence.onlineCount;
  protected readonly myPresence = this.presence.mine;
  protected readonly switching = this.presence.switching;
  protected readonly presenceLabel = PRESENCE_LABEL;
  private readonly teamPresence = viewChild<ElementRef<HTMLDetailsElement>>('teamPresence');
  /** The chats page spreads to the window's width: the split inbox needs the room. */
  protected readonly onChats = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(null),
      map(() => this.router.url.startsWith('/chats')),
    ),
    { requireSync: true },
  );

  /** A click anywhere but in the team's presence list closes it. */
  protected closeTeamPresenceOutside(event: MouseEvent): void {
    const details = this.teamPresence()?.nativeElement;
    if (details?.open && !(event.target instanceof Node && details.contains(event.target)))
      details.open = false;
  }

  private closeTeamPresence(): void {
    const details = this.teamPresence()?.nativeElement;
    if (details) details.open = false;
  }

  constructor() {
    const token = this.auth.token();
    if (token) this.socket.connect(token);
    void this.store.ensureLoaded('active');
    // A 401 here (a token ended while the console was closed) goes to login via the interceptor.
    this.auth
      .refreshProfile()
      .pipe(takeUntilDestroyed())
      .subscribe({ error: () => undefined });

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
          () =>
            void this.router.navigate(['/chats', event.chat_id], {
              queryParamsHandling: 'preserve',
            }),
        );
      });
    // The team's presence list is a glance: it closes on moving to another page, like a menu.
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.closeTeamPresence());
    // The server refused the token: it expired, or the agent was deactivated or signed out
    // everywhere by a password change elsewhere.
    this.socket.unauthorized$.pipe(takeUntilDestroyed()).subscribe(() => this.leave('ended'));
    inject(DestroyRef).onDestroy(() => this.socket.disconnect());
  }

  protected toggleAway(): void {
    void this.presence.setMine(this.myPresence() === 'away' ? 'online' : 'away');
  }

  protected enableAlerts(): void {
    void this.notifier.enable();
  }

  protected logout(): void {
    this.leave();
  }

  /** Signs out; `ended` when it was the server's doing, so the login page can say so. */
  private leave(session?: 'ended'): void {
    this.socket.disconnect();
    this.auth.logout();
    void this.router.navigate(['/login'], session ? { queryParams: { session } } : {});
  }
}
