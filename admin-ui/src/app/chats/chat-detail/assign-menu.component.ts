import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AgentRef, SupportChatListItem } from '../../core/api.types';
import { AuthService } from '../../core/auth.service';
import { AgentPresence, ConversationApi } from './conversation-api.service';

interface MenuChoice {
  key: string;
  label: string;
  agentId: string | null;
  status?: AgentPresence['status'];
}

const STATUS_TEXT = { online: 'online', away: 'away', offline: 'offline' } as const;

/**
 * Who works this chat: a menu button (WAI-ARIA menu pattern) to take it, hand it to another
 * active agent, or unassign it. Arrow keys move, Escape closes and returns to the button.
 */
@Component({
  selector: 'app-assign-menu',
  template: `
    <button
      #trigger
      type="button"
      class="secondary assign-trigger"
      aria-haspopup="menu"
      [attr.aria-expanded]="open()"
      aria-controls="assign-menu"
      [disabled]="disabled() || busy()"
      [attr.data-assignee]="assignee()?.id ?? ''"
      (click)="toggle()"
      (keydown)="onTriggerKeydown($event)"
    >
      <span class="visually-hidden">Assignee: </span>{{ triggerLabel() }}
      <span aria-hidden="true">▾</span>
    </button>
    @if (open()) {
      <div
        #menu
        id="assign-menu"
        class="menu"
        role="menu"
        tabindex="-1"
        aria-label="Assign this chat"
        (keydown)="onMenuKeydown($event)"
        (focusout)="onFocusOut($event)"
      >
        @for (choice of choices(); track choice.key) {
          <button
            type="button"
            role="menuitem"
            tabindex="-1"
            class="item"
            [attr.data-agent-id]="choice.agentId ?? ''"
            (click)="choose(choice)"
          >
            {{ choice.label }}
            @if (choice.status) {
              <span class="presence" [attr.data-status]="choice.status">{{
                statusText[choice.status]
              }}</span>
            }
          </button>
        }
        @if (loading()) {
          <p class="note" role="status">Loading the team…</p>
        }
      </div>
    }
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
  `,
  styles: `
    :host {
      position: relative;
      display: inline-block;
    }
    .assign-trigger {
      white-space: nowrap;
    }
    .menu {
      position: absolute;
      right: 0;
      top: calc(100% + 4px);
      z-index: 10;
      min-width: 220px;
      max-height: 320px;
      overflow-y: auto;
      padding: 4px;
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: 8px;
      box-shadow: 0 6px 24px rgb(0 0 0 / 12%);
    }
    .item {
      display: flex;
      justify-content: space-between;
      gap: 12px;
      width: 100%;
      padding: 8px 10px;
      border: 0;
      border-radius: 6px;
      background: none;
      color: var(--text);
      text-align: left;
    }
    .item:hover,
    .item:focus {
      background: var(--accent-soft);
      outline: none;
    }
    .presence {
      color: var(--muted);
      font-size: 12px;
    }
    .presence[data-status='online'] {
      color: var(--success-strong);
    }
    .note,
    .error {
      margin: 4px 10px;
      font-size: 13px;
      color: var(--muted);
    }
    .error {
      position: absolute;
      right: 0;
      white-space: nowrap;
      color: var(--danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:click)': 'onDocumentClick($event)' },
})
export class AssignMenuComponent {
  private readonly api = inject(ConversationApi);
  private readonly auth = inject(AuthService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private readonly trigger = viewChild<ElementRef<HTMLButtonElement>>('trigger');
  private readonly menu = viewChild<ElementRef<HTMLElement>>('menu');

  readonly chatId = input.required<string>();
  readonly assignee = input<AgentRef | null>(null);
  /** An archived chat cannot be assigned. */
  readonly disabled = input(false);
  /** The chat as the server answered the change. */
  readonly assigned = output<SupportChatListItem>();

  protected readonly open = signal(false);
  protected readonly busy = signal(false);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly statusText = STATUS_TEXT;
  private readonly agents = signal<AgentPresence[]>([]);

  protected readonly triggerLabel = computed(() => {
    const assignee = this.assignee();
    if (!assignee) return 'Unassigned';
    return assignee.id === this.auth.admin()?.id
      ? 'Assigned to you'
      : `Assigned to ${assignee.name}`;
  });

  protected readonly choices = computed<MenuChoice[]>(() => {
    const me = this.auth.admin()?.id;
    const current = this.assignee()?.id ?? null;
    const list: MenuChoice[] = [];
    if (me && current !== me) list.push({ key: 'me', label: 'Assign to me', agentId: me });
    for (const agent of this.agents()) {
      if (agent.agent_id === me || agent.agent_id === current) continue;
      list.push({
        key: agent.agent_id,
        label: `Assign to ${agent.name}`,
        agentId: agent.agent_id,
        status: agent.status,
      });
    }
    if (current) list.push({ key: 'none', label: 'Unassign', agentId: null });
    return list;
  });

  /** Opens the menu from outside, e.g. a keyboard shortcut. */
  openMenu(): void {
    if (this.disabled() || this.busy()) return;
    this.trigger()?.nativeElement.focus();
    this.show(0);
  }

  protected toggle(): void {
    if (this.open()) this.close(false);
    else this.show(0);
  }

  protected onTriggerKeydown(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.show(event.key === 'ArrowUp' ? -1 : 0);
    }
  }

  protected onMenuKeydown(event: KeyboardEvent): void {
    const items = this.items();
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = (at + 1) % items.length;
        break;
      case 'ArrowUp':
        next = (at - 1 + items.length) % items.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      case 'Escape':
        // Handled here: the conversation's own Escape (back to the list) must not fire too.
        event.preventDefault();
        event.stopPropagation();
        this.close(true);
        return;
      case 'Tab':
        this.close(false);
        return;
      case 'Enter':
      case ' ': {
        // Chosen here rather than by the button's own activation: page-wide shortcuts (Enter
        // opens the selected chat in the list beside) must not see this key.
        event.preventDefault();
        event.stopPropagation();
        const choice = this.choices()[at];
        if (choice) void this.choose(choice);
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    items[next]?.focus();
  }

  protected onFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (to && !this.host.nativeElement.contains(to)) this.close(false);
  }

  protected onDocumentClick(event: MouseEvent): void {
    if (this.open() && !this.host.nativeElement.contains(event.target as Node)) this.close(false);
  }

  protected async choose(choice: MenuChoice): Promise<void> {
    this.close(true);
    this.busy.set(true);
    this.error.set(null);
    try {
      const chat = await firstValueFrom(this.api.assign(this.chatId(), choice.agentId));
      this.assigned.emit(chat);
    } catch {
      this.error.set('Could not change the assignee. Try again.');
    } finally {
      this.busy.set(false);
    }
  }

  private show(focusIndex: number): void {
    this.open.set(true);
    this.error.set(null);
    this.focusItem(focusIndex);
    void this.loadAgents(focusIndex);
  }

  private close(returnFocus: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (returnFocus) this.trigger()?.nativeElement.focus();
  }

  private async loadAgents(focusIndex: number): Promise<void> {
    this.loading.set(true);
    try {
      const agents = await firstValueFrom(this.api.agents());
      // Who is at their desk first, then by name: the likely choice is at the top.
      const rank = { online: 0, away: 1, offline: 2 } as const;
      this.agents.set(
        [...agents].sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name)),
      );
      // The list grew under the focus: keep "up to the last" pointing at the last.
      if (focusIndex < 0 && this.open()) this.focusItem(focusIndex);
    } catch {
      // The menu still offers "Assign to me" and "Unassign".
    } finally {
      this.loading.set(false);
    }
  }

  private focusItem(index: number): void {
    afterNextRender(
      () => {
        const items = this.items();
        const item = index < 0 ? items.at(index) : items[index];
        const active = document.activeElement;
        // Only take the focus if it is still on the button or already in the menu.
        if (
          item &&
          (active === this.trigger()?.nativeElement || this.menu()?.nativeElement.contains(active))
        ) {
          item.focus();
        }
      },
      { injector: this.injector },
    );
  }

  private items(): HTMLButtonElement[] {
    const menu = this.menu()?.nativeElement;
    return menu ? [...menu.querySelectorAll<HTMLButtonElement>('[role=menuitem]')] : [];
  }
}
