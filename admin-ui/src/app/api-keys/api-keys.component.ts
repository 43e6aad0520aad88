import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Observable, firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { runChange } from '../core/run-change';
import { timeAgo } from '../core/time-format';
import {
  ApiKeyScope,
  ApiKeyView,
  ApiKeysApi,
  CreatedApiKey,
  RetentionStatus,
} from './api-keys-api.service';

export const SCOPES: readonly { scope: ApiKeyScope; hint: string }[] = [
  { scope: 'read', hint: "read a user's chat" },
  { scope: 'write', hint: 'post messages as an agent or a bot' },
  { scope: 'privacy', hint: 'export and erase users' },
];

const DATE_TIME = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * Admins make keys for the host application's backend (each shown once), see when each was
 * last used, and revoke them; beside them, what the retention policy will delete next.
 */
@Component({
  selector: 'app-api-keys',
  templateUrl: './api-keys.component.html',
  styleUrls: ['../core/page-frame.css', '../labels/admin-page.css', './api-keys.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ApiKeysComponent {
  private readonly api = inject(ApiKeysApi);

  protected readonly scopes = SCOPES;
  protected readonly keys = signal<ApiKeyView[] | null>(null);
  protected readonly retention = signal<RetentionStatus | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly newName = signal('');
  protected readonly newScopes = signal<ReadonlySet<ApiKeyScope>>(new Set(['read']));
  /** The key just made: shown until dismissed, never again. */
  protected readonly created = signal<CreatedApiKey | null>(null);
  protected readonly copied = signal(false);
  protected readonly confirming = signal<string | null>(null);
  protected readonly now = signal(Date.now());

  constructor() {
    void this.reload();
    void this.loadRetention();
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected toggleScope(scope: ApiKeyScope, on: boolean): void {
    this.newScopes.update((s) => {
      const next = new Set(s);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    const name = this.newName().trim();
    const scopes = SCOPES.map((s) => s.scope).filter((s) => this.newScopes().has(s));
    if (!name || scopes.length === 0) {
      this.error.set('Give the key a name and at least one scope.');
      return;
    }
    const made = await this.run(() => this.api.create(name, scopes), 'Could not create the key.');
    if (made) {
      this.created.set(made);
      this.copied.set(false);
      this.newName.set('');
    }
  }

  protected async copy(key: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(key);
      this.copied.set(true);
    } catch {
      this.error.set('Could not copy: select the key and copy it by hand.');
    }
  }

  protected async revoke(key: ApiKeyView): Promise<void> {
    const done = await this.run(() => this.api.revoke(key.id), 'Could not revoke the key.');
    if (done) {
      this.confirming.set(null);
      this.notice.set(`Key “${key.name}” revoked: it is refused from now on.`);
    }
  }

  protected lastUse(key: ApiKeyView): string {
    return key.last_used_at ? timeAgo(key.last_used_at, this.now()) : 'Never';
  }

  protected dateTime(iso: string): string {
    return `${DATE_TIME.format(new Date(iso))} UTC`;
  }

  private run<T>(call: () => Observable<T>, fallback: string): Promise<T | null> {
    const { busy, error, notice } = this;
    return runChange({ busy, error, notice }, call, fallback, () => this.reload());
  }

  protected async reload(): Promise<void> {
    try {
      this.keys.set(await firstValueFrom(this.api.list()));
      this.now.set(Date.now());
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the API keys.'));
    }
  }

  private async loadRetention(): Promise<void> {
    try {
      this.retention.set(await firstValueFrom(this.api.retention()));
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the retention policy.'));
    }
  }
}
