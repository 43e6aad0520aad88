/**
 * Scrolls a conversation to one of its messages (`data-message-id`) and puts the keyboard and
 * screen reader focus on it, without a second scroll.
 */
export function revealMessage(scroller: HTMLElement | undefined, messageId: string): boolean {
  const el = scroller?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center' });
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  return true;
}
