import {
  SupportChatElement,
  type SupportChatMessageDetail,
  type SupportChatUnreadChangeDetail,
} from './internal/support-chat-element.js';

export {
  SupportChatElement,
  type SupportChatMessageDetail,
  type SupportChatPosition,
  type SupportChatUnreadChangeDetail,
} from './internal/support-chat-element.js';
export { registerLocale, type SupportChatStrings } from './internal/strings.js';
export type { SupportChat, SupportMessage, SenderType } from './internal/types.js';

// A page may load the script twice (a CDN copy and a bundled one); the first definition wins.
if (!customElements.get('support-chat')) {
  customElements.define('support-chat', SupportChatElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat': SupportChatElement;
  }
  interface HTMLElementEventMap {
    'support-chat-open': CustomEvent<undefined>;
    'support-chat-close': CustomEvent<undefined>;
    'support-chat-unread-change': CustomEvent<SupportChatUnreadChangeDetail>;
    'support-chat-message': CustomEvent<SupportChatMessageDetail>;
    'support-chat-token-expired': CustomEvent<undefined>;
  }
}
