import { SupportChatListItem } from '../core/api.types';

/** Newest activity first; chats without messages last; id breaks ties so the order is total. */
export function compareChats(a: SupportChatListItem, b: SupportChatListItem): number {
  const ta = a.last_message_at ? Date.parse(a.last_message_at) : -Infinity;
  const tb = b.last_message_at ? Date.parse(b.last_message_at) : -Infinity;
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Puts `item` into a sorted page list. When more pages exist and the item sorts after the last
 * loaded one, it is left out: it will arrive with its page, and showing it now would make it
 * appear twice once that page loads.
 */
export function insertSorted(
  items: readonly SupportChatListItem[],
  item: SupportChatListItem,
  hasMorePages: boolean,
): SupportChatListItem[] {
  const rest = items.filter((c) => c.id !== item.id);
  const last = rest.at(-1);
  if (hasMorePages && last && compareChats(item, last) > 0) return rest;
  const index = rest.findIndex((c) => compareChats(item, c) < 0);
  if (index === -1) return [...rest, item];
  return [...rest.slice(0, index), item, ...rest.slice(index)];
}

/** Appends a fetched page, skipping chats that live updates already placed. */
export function appendPage(
  items: readonly SupportChatListItem[],
  page: readonly SupportChatListItem[],
): SupportChatListItem[] {
  const seen = new Set(items.map((c) => c.id));
  return [...items, ...page.filter((c) => !seen.has(c.id))].sort(compareChats);
}
