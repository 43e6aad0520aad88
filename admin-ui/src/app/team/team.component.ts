import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  WritableSignal,
  afterNextRender,
  inject,
  signal,
} from '@angular/core';
import { Router } from '@angular/router';
import { Observable, firstValueFrom } from 'rxjs';
import { AgentRole, AgentView } from '../core/api.types';
import { AuthService } from '../core/auth.service';
import { errorMessage } from '../core/http-error';
import { OneTimeLinkComponent } from './one-time-link.component';
import { TeamApi } from './team-api.service';

/** The one thing being done to one agent's row at a time. */
type RowAction = 'edit' | 'deactivate' | 'reactivate' | 'reset';

/**
 * The team, for admins: who can sign in to the console and with which role. Every change goes
 * to the server, which has the last word (the last active admin stays one, passwords follow its
 * rule); its refusals are shown as it words them.
 */
@Component({
  selector: 'app-team',
  imports: [OneTimeLinkComponent],
  templateUrl: './team.component.html',
  styleUrls: ['../core/page-frame.css', './team.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TeamComponent {
  private readonly api = inject(TeamApi);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  protected readonly agents = signal<AgentView[]>([]);
  protected readonly loading = signal(true);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  /** A set-password link, shown until the admin says they have it; the server never shows it again. */
  protected readonly link = signal<{ name: string; url: string } | null>(null);

  protected readonly adding = signal(false);
  protected readonly newEmail = signal('');
  protected readonly newName = signal('');
  protected readonly newRole = signal<AgentRole>('agent');
  protected readonly newPassword = signal('');

  protected readonly row = signal<{ id: string; action: RowAction } | null>(null);
  protected readonly editName = signal('');
  protected readonly editRole = signal<AgentRole>('agent');
  protected readonly resetTo = signal('');

  constructor() {
    this.api.list().subscribe({
      next: (agents) => {
        this.agents.set(agents);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.loading.set(false);
        this.error.set(errorMessage(err, 'Could not load the team. Reload the page to try again.'));
      },
    });
  }

  protected isMe(agent: AgentView): boolean {
    return agent.id === this.auth.admin()?.id;
  }

  protected isRow(agent: AgentView, action: RowAction): boolean {
    const row = this.row();
    return row?.id === agent.id && row.action === action;
  }

  protected setText(target: WritableSignal<string>, event: Event): void {
    target.set((event.target as HTMLInputElement).value);
  }

  protected setRole(target: WritableSignal<AgentRole>, event: Event): void {
    target.set((event.target as HTMLSelectElement).value === 'admin' ? 'admin' : 'agent');
  }

  protected startAdding(): void {
    this.adding.set(true);
    this.focus('.add-form input[name=email]');
  }

  protected cancelAdding(): void {
    this.adding.set(false);
    this.newEmail.set('');
    this.newName.set('');
    this.newRole.set('agent');
    this.newPassword.set('');
  }

  protected async add(event: Event): Promise<void> {
    event.preventDefault();
    const email = this.newEmail().trim();
    const name = this.newName().trim();
    if (!email || !name) {
      this.error.set('Enter the new agent’s email and name.');
      return;
    }
    const password = this.newPassword();
    const created = await this.run(
      this.api.create({ email, name, role: this.newRole(), ...(password ? { password } : {}) }),
    );
    if (!created) return;
    this.agents.update((list) => sortByName([...list, created.agent]));
    this.cancelAdding();
    if (created.set_password_url) {
      this.link.set({ name: created.agent.name, url: created.set_password_url });
    } else {
      this.notice.set(`${created.agent.name} is added and can sign in now.`);
    }
  }

  protected startRow(agent: AgentView, action: RowAction): void {
    this.error.set(null);
    this.row.set({ id: agent.id, action });
    this.editName.set(agent.name);
    this.editRole.set(agent.role);
    this.resetTo.set('');
    // Focus goes to what the agent has to answer next: the field, or the confirming button.
    const target = {
      edit: `#name-${agent.id}`,
      reset: `#reset-${agent.id}`,
      deactivate: '.confirm .danger-button',
      reactivate: '.confirm .primary',
    }[action];
    this.focus(target);
  }

  protected cancelRow(): void {
    const row = this.row();
    this.row.set(null);
    if (row) this.focus(`tr[data-agent-id="${row.id}"] .${row.action}`);
  }

  protected async save(agent: AgentView, event: Event): Promise<void> {
    event.preventDefault();
    const name = this.editName().trim();
    if (!name) {
      this.error.set('A name cannot be empty.');
      return;
    }
    const changes: { name?: string; role?: AgentRole } = {};
    if (name !== agent.name) changes.name = name;
    if (this.editRole() !== agent.role) changes.role = this.editRole();
    if (!changes.name && !changes.role) {
      this.cancelRow();
      return;
    }
    const updated = await this.run(this.api.update(agent.id, changes));
    if (!updated) return;
    this.replace(updated);
    this.row.set(null);
    this.notice.set(`Saved ${updated.name}.`);
    if (this.isMe(updated)) {
      this.auth.updateProfile(updated);
      // No longer an admin: this page is not theirs any more.
      if (updated.role !== 'admin') void this.router.navigate(['/chats']);
    }
  }

  protected async setActive(agent: AgentView, active: boolean): Promise<void> {
    const updated = await this.run(this.api.setActive(agent.id, active));
    if (!updated) return;
    this.replace(updated);
    this.row.set(null);
    this.notice.set(
      active
        ? `${updated.name} is active again and can sign in.`
        : `${updated.name} is deactivated and signed out everywhere.`,
    );
  }

  protected async resetPassword(agent: AgentView, event: Event): Promise<void> {
    event.preventDefault();
    const password = this.resetTo();
    const reset = await this.run(this.api.resetPassword(agent.id, password || undefined));
    if (!reset) return;
    this.row.set(null);
    if (reset.set_password_url) {
      this.link.set({ name: agent.name, url: reset.set_password_url });
    } else {
      this.notice.set(`${agent.name} has a new password; their sessions have ended.`);
    }
  }

  protected linkDone(): void {
    this.link.set(null);
    this.focus('.add-toggle');
  }

  /** One change at a time: the server's answer, or null after showing why it failed. */
  private async run<T>(call: Observable<T>): Promise<T | null> {
    if (this.busy()) return null;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set('');
    try {
      return await firstValueFrom(call);
    } catch (err) {
      this.error.set(errorMessage(err));
      return null;
    } finally {
      this.busy.set(false);
    }
  }

  private replace(agent: AgentView): void {
    this.agents.update((list) => sortByName(list.map((a) => (a.id === agent.id ? agent : a))));
  }

  private focus(selector: string): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLElement>(selector)?.focus(), {
      injector: this.injector,
    });
  }
}

/** The server's order: by name, case-insensitively. */
function sortByName(agents: AgentView[]): AgentView[] {
  return agents.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}
