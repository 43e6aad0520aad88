import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Observable, firstValueFrom, map } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { runChange } from '../core/run-change';
import { LabelsApi, SupportLabel } from './labels-api.service';

const DEFAULT_COLOR = '#2f6fed';

/** Admins define the team's labels: a name (unique whatever its case) and a colour. */
@Component({
  selector: 'app-labels',
  templateUrl: './labels.component.html',
  styleUrls: ['../core/page-frame.css', './admin-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LabelsComponent {
  private readonly api = inject(LabelsApi);

  protected readonly labels = signal<SupportLabel[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly newName = signal('');
  protected readonly newColor = signal(DEFAULT_COLOR);
  /** The label being edited in place, with its edits so far. */
  protected readonly editing = signal<{ id: string; name: string; color: string } | null>(null);
  protected readonly confirming = signal<string | null>(null);

  constructor() {
    void this.reload();
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected async add(event: Event): Promise<void> {
    event.preventDefault();
    const name = this.newName().trim();
    if (!name) {
      this.error.set('Give the label a name.');
      return;
    }
    const created = await this.run(
      () => this.api.create({ name, color: this.newColor() }),
      'Could not add the label.',
    );
    if (created) {
      this.newName.set('');
      this.notice.set(`Label “${created.name}” added.`);
    }
  }

  protected edit(label: SupportLabel): void {
    this.confirming.set(null);
    this.editing.set({ id: label.id, name: label.name, color: label.color });
  }

  protected patchEdit(changes: Partial<{ name: string; color: string }>): void {
    this.editing.update((e) => (e ? { ...e, ...changes } : e));
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const edit = this.editing();
    if (!edit) return;
    const saved = await this.run(
      () => this.api.update(edit.id, { name: edit.name.trim(), color: edit.color }),
      'Could not save the label.',
    );
    if (saved) {
      this.editing.set(null);
      this.notice.set(`Label “${saved.name}” saved.`);
    }
  }

  protected async remove(label: SupportLabel): Promise<void> {
    const done = await this.run(
      () => this.api.remove(label.id).pipe(map(() => true)),
      'Could not delete the label.',
    );
    if (done) {
      this.confirming.set(null);
      this.notice.set(`Label “${label.name}” deleted.`);
    }
  }

  private run<T>(call: () => Observable<T>, fallback: string): Promise<T | null> {
    const { busy, error, notice } = this;
    return runChange({ busy, error, notice }, call, fallback, () => this.reload());
  }

  private async reload(): Promise<void> {
    try {
      this.labels.set(await firstValueFrom(this.api.list()));
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the labels.'));
    }
  }
}
