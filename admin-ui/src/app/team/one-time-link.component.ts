import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';

/**
 * A set-password link the server shows once (it keeps only a hash): the admin copies it now and
 * sends it to the agent themselves. Focus moves to it, so nobody misses it before it is gone.
 */
@Component({
  selector: 'app-one-time-link',
  template: `
    <section class="one-time-link" aria-labelledby="one-time-link-heading">
      <h2 id="one-time-link-heading">Set-password link for {{ name() }}</h2>
      <p>
        Send this link to {{ name() }}: it lets them choose their password and works once.
        <strong>It won't be shown again.</strong>
      </p>
      <div class="copy">
        <label class="visually-hidden" for="one-time-link-url">Set-password link</label>
        <input
          #field
          id="one-time-link-url"
          class="url"
          readonly
          [value]="url()"
          (focus)="field.select()"
        />
        <button type="button" class="primary copy-button" (click)="copy()">
          {{ copied() === 'yes' ? 'Copied' : 'Copy link' }}
        </button>
      </div>
      <p class="copy-status" role="status">
        @switch (copied()) {
          @case ('yes') {
            Copied to the clipboard.
          }
          @case ('failed') {
            Could not copy: the link is selected, press Ctrl+C (⌘C on a Mac).
          }
        }
      </p>
      <button type="button" class="secondary done" (click)="done.emit()">Done</button>
    </section>
  `,
  styles: `
    .one-time-link {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin: 12px 0;
      padding: 16px;
      border: 2px solid var(--accent);
      border-radius: 10px;
      background: var(--surface);
    }
    h2 {
      margin: 0;
      font-size: 16px;
    }
    p {
      margin: 0;
    }
    .copy {
      display: flex;
      gap: 8px;
    }
    .url {
      flex: 1;
      min-width: 0;
      font: inherit;
      font-family: ui-monospace, monospace;
      font-size: 13px;
      padding: 8px 10px;
      border: 1px solid var(--border);
      border-radius: 8px;
    }
    .copy-status {
      min-height: 1.4em;
      color: var(--muted);
      font-size: 13px;
    }
    .done {
      align-self: flex-start;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OneTimeLinkComponent {
  /** Whose link it is. */
  readonly name = input.required<string>();
  readonly url = input.required<string>();
  /** The admin has it: the page forgets the link. */
  readonly done = output<void>();

  protected readonly copied = signal<'no' | 'yes' | 'failed'>('no');
  private readonly field = viewChild.required<ElementRef<HTMLInputElement>>('field');

  constructor() {
    afterNextRender(() => this.field().nativeElement.focus());
  }

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.url());
      this.copied.set('yes');
    } catch {
      // No clipboard (an insecure origin, or permission refused): leave it ready to copy by hand.
      this.field().nativeElement.select();
      this.copied.set('failed');
    }
  }
}
