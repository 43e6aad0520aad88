import { computed, signal } from '@angular/core';
import type { SupportLabel } from '../../../backend/src/contracts/wire';
import { LabelsCatalogue } from '../app/chats/chat-list/labels-catalogue.service';

/** The team's labels without a server: a test sets `list` to what the catalogue would hold. */
export function fakeLabelsCatalogue(labels: SupportLabel[] = []) {
  const list = signal<readonly SupportLabel[]>(labels);
  const colors = computed(() => new Map(list().map((l) => [l.name, l.color])));
  const fake: Pick<LabelsCatalogue, 'labels' | 'load' | 'colorOf'> & {
    list: typeof list;
  } = {
    list,
    labels: list.asReadonly(),
    load: () => undefined,
    colorOf: (name: string) => colors().get(name) ?? null,
  };
  return fake;
}
