import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  signal,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, NavigationEnd, Router, RouterOutlet } from '@angular/router';
import { filter, map, startWith } from 'rxjs';
import { ChatListComponent } from '../chat-list/chat-list.component';
import { AssigneeFilter, ChatsStore, Tab } from '../chats.store';

/** From this width the list and the open chat share the screen (the split inbox). */
export const SPLIT_MIN_WIDTH_PX = 1024;

interface Location {
  /** The tab the URL names; null while a chat is open (the list keeps the last one). */
  tab: Tab | null;
  openId: string | null;
  assignee: AssigneeFilter;
  label: string | null;
}

/**
 * The chats page: the list, and the open conversation in the child outlet. On a wide screen
 * both show side by side and the list stays live (and keeps its filters, which live in the
 * URL's query) while chats open and close beside it; on a narrow one, one pane at a time.
 * The conversation view knows nothing of this: it is a child route like any other.
 */
@Component({
  selector: 'app-inbox',
  imports: [RouterOutlet, ChatListComponent],
  templateUrl: './inbox.component.html',
  styleUrl: './inbox.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InboxComponent {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly store = inject(ChatsStore);

  private readonly location = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(null),
      map(() => this.read()),
    ),
    { requireSync: true },
  );
  protected readonly openId = computed(() => this.location().openId);
  protected readonly tab = computed<Tab>(
    () => this.location().tab ?? this.store.lastTab() ?? 'active',
  );
  protected readonly assignee = computed(() => this.location().assignee);
  protected readonly label = computed(() => this.location().label);
  protected readonly split = signal(false);

  constructor() {
    // The layout itself is CSS; the list only needs to know whether its j/k may move beside
    // an open chat.
    const query = globalThis.matchMedia?.(`(min-width: ${SPLIT_MIN_WIDTH_PX}px)`);
    if (query) {
      this.split.set(query.matches);
      const onChange = (e: MediaQueryListEvent): void => this.split.set(e.matches);
      query.addEventListener('change', onChange);
      inject(DestroyRef).onDestroy(() => query.removeEventListener('change', onChange));
    }
  }

  private read(): Location {
    const child = this.route.firstChild?.snapshot;
    const query = this.route.snapshot.queryParamMap;
    const assignee = query.get('assignee');
    return {
      tab: (child?.data['tab'] as Tab | undefined) ?? null,
      openId: child?.paramMap.get('id') ?? null,
      assignee: assignee === 'me' || assignee === 'none' ? assignee : 'all',
      label: query.get('label') || null,
    };
  }
}
