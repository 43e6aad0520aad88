import type { WritableSignal } from '@angular/core';
import { firstValueFrom, type Observable } from 'rxjs';
import { errorMessage } from './http-error';

/** What an admin page shows around a change: busy while it runs, then a notice or why not. */
export interface ChangeState {
  busy: WritableSignal<boolean>;
  error: WritableSignal<string | null>;
  notice: WritableSignal<string>;
}

/** One change, then a fresh list; resolves with the answer, or null after showing why not. */
export async function runChange<T>(
  state: ChangeState,
  call: () => Observable<T>,
  fallback: string,
  reload: () => Promise<void>,
): Promise<T | null> {
  state.busy.set(true);
  state.error.set(null);
  state.notice.set('');
  try {
    const result = await firstValueFrom(call());
    await reload();
    return result;
  } catch (err) {
    state.error.set(errorMessage(err, fallback));
    return null;
  } finally {
    state.busy.set(false);
  }
}
