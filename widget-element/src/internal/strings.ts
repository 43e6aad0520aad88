/** Every piece of text the element shows or announces; replace any of them per locale or per element. */
export interface SupportChatStrings {
  /** Panel heading when the `heading` attribute is not set. */
  title: string;
  openChat: string;
  closeChat: string;
  /** Appended to the launcher's label when there are unread replies. */
  unread: (count: number) => string;
  connected: string;
  disconnected: string;
  messages: string;
  inputLabel: string;
  placeholder: string;
  send: string;
  sending: string;
  waitingForConnection: string;
  notSent: string;
  discard: string;
  loadEarlier: string;
  loading: string;
  empty: string;
  you: string;
  agent: string;
  /** Under the user's last message once an agent has read it. */
  seen: string;
  /** What the live region says when an agent reply arrives; `agent` is their name, when known. */
  newReply: (content: string, agent?: string) => string;
  signInRequired: string;
  /** The line under the header while an agent is available. */
  availabilityOnline: string;
  /** While the agents are signed in but away. */
  availabilityAway: string;
  /** While no agent is signed in. */
  availabilityOffline: string;
  /** The line while an agent types a reply; `agent` is their name, when known. */
  typing: (agent?: string) => string;
  /** The rating prompt's question, after an agent archived the conversation. */
  rate: string;
  /** The five choices' names, from 1 (worst) to 5 (best). */
  scores: string[];
  /** The label of the optional comment under the choices. */
  comment: string;
  sendRating: string;
  /** Shown in place of the prompt once the rating is stored. */
  thanks: string;
}

export const en: SupportChatStrings = {
  title: 'Support',
  openChat: 'Open support chat',
  closeChat: 'Close support chat',
  unread: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  connected: 'Connected',
  disconnected: 'Offline, reconnecting',
  messages: 'Messages',
  inputLabel: 'Your message',
  placeholder: 'Type a message…',
  send: 'Send',
  sending: 'Sending…',
  waitingForConnection: 'Waiting for connection',
  notSent: 'Not sent',
  discard: 'Discard',
  loadEarlier: 'Load earlier messages',
  loading: 'Loading…',
  empty: 'Ask us anything. We usually reply within a few minutes.',
  you: 'You',
  agent: 'Support',
  seen: 'Seen',
  newReply: (content, agent) => `${agent || 'Support'}: ${content}`,
  signInRequired: 'Sign in to chat with us.',
  availabilityOnline: "We're online",
  availabilityAway: "We're away for a moment; we'll reply soon",
  availabilityOffline: "We'll reply by email",
  typing: (agent) => `${agent || 'Support'} is typing…`,
  rate: 'How was this conversation?',
  scores: ['Very bad', 'Bad', 'Okay', 'Good', 'Very good'],
  comment: 'Comment (optional)',
  sendRating: 'Send rating',
  thanks: 'Thanks for your feedback!',
};

const registry = new Map<string, Partial<SupportChatStrings>>([['en', en]]);

/**
 * Registers translations for a `locale` attribute value (e.g. "fr" or "pt-BR"); anything left out
 * falls back to English.
 */
export function registerLocale(locale: string, strings: Partial<SupportChatStrings>): void {
  registry.set(locale.toLowerCase(), strings);
}

/** English, then the language ("pt"), then the exact locale ("pt-br"), then per-element overrides. */
export function resolveStrings(
  locale: string | undefined,
  overrides: Partial<SupportChatStrings> | undefined,
): SupportChatStrings {
  const exact = locale?.toLowerCase();
  const language = exact?.split('-')[0];
  return {
    ...en,
    ...(language ? registry.get(language) : undefined),
    ...(exact && exact !== language ? registry.get(exact) : undefined),
    ...overrides,
  };
}
