import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Observable, firstValueFrom, map } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { runChange } from '../core/run-change';
import { CannedApi, CannedReply, CannedReplyDraft } from './canned-api.service';

const EMPTY: CannedReplyDraft = { title: '', shortcut: '', content: '' };

/** Admins keep the team's canned replies: a title, a `/shortcut` and text with variables. */
@Component({
  selector: 'app-canned',
  templateUrl: './canned.component.html',
  styleUrls: ['../core/page-frame.css', '../labels/admin-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CannedComponent {
  private readonly api = inject(CannedApi);

  protected readonly replies = signal<CannedReply[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  /** The form: a new reply (id null) or the one being edited. */
  protected readonly form = signal<(CannedReplyDraft & { id: string | null }) | null>(null);
  protected readonly confirming = signal<string | null>(null);

  constructor() {
    void this.reload();
  }

  protected startNew(): void {
    this.confirming.set(null);
    this.form.set({ id: null, ...EMPTY });
  }

  protected edit(reply: CannedReply): void {
    this.confirming.set(null);
    this.form.set({
      id: reply.id,
      title: reply.title,
      shortcut: reply.shortcut,
      content: reply.content,
    });
  }

  protected set(field: keyof CannedReplyDraft, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.form.update((f) => (f ? { ...f, [field]: value } : f));
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const form = this.form();
    if (!form) return;
    const draft = {
      title: form.title.trim(),
      shortcut: form.shortcut.trim(),
      content: form.content.trim(),
    };
    if (!draft.title || !draft.shortcut || !draft.content) {
      this.error.set('A canned reply needs a title, a shortcut and its text.');
      return;
    }
    const saved = await this.run(
      () => (form.id ? this.api.update(form.id, draft) : this.api.create(draft)),
      'Could not save the reply.',
    );
    if (saved) {
      this.form.set(null);
      this.notice.set(`Saved ${saved.shortcut}.`);
    }
  }

  protected async remove(reply: CannedReply): Promise<void> {
    const done = await this.run(
      () => this.api.remove(reply.id).pipe(map(() => true)),
      'Could not delete the reply.',
    );
    if (done) {
      this.confirming.set(null);
      this.notice.set(`Deleted ${reply.shortcut}.`);
    }
  }

  private run<T>(call: () => Observable<T>, fallback: string): Promise<T | null> {
    const { busy, error, notice } = this;
    return runChange({ busy, error, notice }, call, fallback, () => this.reload());
  }

  private async reload(): Promise<void> {
    try {
      this.replies.set(await firstValueFrom(this.api.list()));
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the canned replies.'));
    }
  }
}
