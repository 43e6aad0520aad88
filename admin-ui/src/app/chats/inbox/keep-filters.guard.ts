import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';

/** The query parameters that narrow the chat list; the open chat's URL carries them too. */
export const LIST_FILTER_PARAMS = ['assignee', 'label'] as const;

/**
 * Leaving a chat for the list (its back link, Escape, the Chats link) names no filter: the list
 * keeps the filters the chat was opened under. Choosing "All" from the list itself is a
 * list-to-list navigation and is left alone.
 */
export const keepListFilters: CanActivateFn = (route) => {
  const router = inject(Router);
  if (LIST_FILTER_PARAMS.some((p) => route.queryParamMap.has(p))) return true;
  // While a navigation runs, router.url is still the page being left.
  const from = router.parseUrl(router.url);
  const segments = from.root.children['primary']?.segments.map((s) => s.path) ?? [];
  const fromChat = segments.length === 2 && segments[0] === 'chats' && segments[1] !== 'archived';
  if (!fromChat) return true;
  const kept: Record<string, string> = {};
  for (const p of LIST_FILTER_PARAMS) {
    const value = from.queryParamMap.get(p);
    if (value) kept[p] = value;
  }
  if (Object.keys(kept).length === 0) return true;
  const target = route.data['tab'] === 'archived' ? ['/chats', 'archived'] : ['/chats'];
  return router.createUrlTree(target, { queryParams: { ...route.queryParams, ...kept } });
};
