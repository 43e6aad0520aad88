import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ChatSession } from './chat-session.js';
import { chatIcon, closeIcon, sendIcon } from './icons.js';
import { scriptOrigin } from './script-origin.js';
import { Chime } from './sound.js';
import { resolveStrings, type SupportChatStrings } from './strings.js';
import { styles } from './styles.js';
import { TimeFormatter, agentName, messageTemplate, pendingTemplate, ratingTemplate } from './templates.js';
import { socketTransport, type TransportFactory } from './transport.js';
import { MAX_CONTENT_LENGTH, type SupportMessage } from './types.js';

export type SupportChatPosition = 'bottom-right' | 'bottom-left';

export interface SupportChatUnreadChangeDetail {
  count: number;
}
export interface SupportChatMessageDetail {
  message: SupportMessage;
}

/** Far enough from the top that the next page loads before the user hits the edge. */
const LOAD_OLDER_THRESHOLD_PX = 48;
/** Within this distance of the bottom the user is reading the latest, so new messages scroll in. */
const STICK_TO_BOTTOM_PX = 80;

/** Events cross the shadow boundary and bubble, so a listener anywhere up the page hears them. */
function emit<T>(target: EventTarget, name: string, detail: T): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

const warned = new Set<string>();
/** Says once per page that an old name still works but is going away. */
function deprecated(old: string, replacement: string): void {
  if (warned.has(old)) return;
  warned.add(old);
  console.warn(`<support-chat>: ${old} is deprecated and will be removed in the next release; use ${replacement}.`);
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Sandboxed iframes and some privacy modes throw on access.
    return null;
  }
}

/**
 * A live-support chat: a floating button that opens a conversation with the host application's
 * support team.
 *
 * @summary Live support chat for any web page.
 *
 * @fires support-chat-open - The panel opened (by the launcher, `show()`, `toggle()`, or setting `open`).
 * @fires support-chat-close - The panel closed (by the launcher, its close button, Escape, `hide()`,
 * `toggle()`, or clearing `open`).
 * @fires support-chat-unread-change - The number of unread agent replies changed; `detail.count`.
 * @fires support-chat-message - A message joined the conversation live (sent, received or caught
 * up after a reconnect; not history); `detail.message` is the `SupportMessage`.
 * @fires support-chat-token-expired - The server refused the token; set a fresh `token` and the
 * element reconnects, keeping history and unsent messages.
 *
 * @csspart launcher - The floating button; carries `aria-expanded`.
 * @csspart badge - The unread count on the launcher ("9+" above nine).
 * @csspart panel - The conversation panel.
 * @csspart status - The connection dot; `data-connected="true|false"`.
 * @csspart message - Each message bubble; `data-sender="user|admin"`, `data-pending="true"` until confirmed.
 * @csspart message-user - The user's bubbles (also `message`).
 * @csspart message-admin - The agents' bubbles (also `message`).
 * @csspart agent - The name of the agent who wrote a reply, at the top of their bubble (plain text, as it
 * was when sent); absent on the user's messages and on replies that carry no name.
 * @csspart availability - The line under the header saying whether the team is online, away or
 * offline (plain text; `data-status="online|away|offline"`); absent until the server has said.
 * @csspart typing - "Ana is typing…" above the input while an agent types a reply (plain text); gone
 * 6 s after their last signal, and at once when they stop, send or the connection drops.
 * @csspart rating - After an agent archives the conversation: a form asking "How was this
 * conversation?" with five choices (radios, 1 "Very bad" to 5 "Very good"), an optional comment and
 * a send button; then "Thanks for your feedback!" in its place. Shown once per archive (also on
 * reload while unrated); gone when the user writes again. Plain text.
 * @csspart input - The message textarea.
 * @csspart send - The send button.
 *
 * @cssprop [--support-chat-primary=#2563eb] - Launcher, header and the user's bubbles.
 * @cssprop [--support-chat-on-primary=#ffffff] - Text and icons on the primary colour.
 * @cssprop [--support-chat-surface=#ffffff] - Panel background.
 * @cssprop [--support-chat-text=#0f172a] - Body text.
 * @cssprop [--support-chat-muted=#f1f5f9] - Agent bubbles.
 * @cssprop [--support-chat-muted-text=#475569] - Timestamps and secondary text.
 * @cssprop [--support-chat-border=#e2e8f0] - Dividers and the textarea border.
 * @cssprop [--support-chat-badge=#dc2626] - Unread badge background.
 * @cssprop [--support-chat-on-badge=#ffffff] - Unread badge text.
 * @cssprop [--support-chat-online=#16a34a] - Connection dot when connected.
 * @cssprop [--support-chat-offline=#94a3b8] - Connection dot when not.
 * @cssprop [--support-chat-focus=#1d4ed8] - Focus ring.
 * @cssprop [--support-chat-font=system-ui] - Font family.
 * @cssprop [--support-chat-radius=16px] - Panel corner radius.
 * @cssprop [--support-chat-offset=20px] - Distance from the viewport's edges.
 * @cssprop [--support-chat-width=370px] - Panel width.
 * @cssprop [--support-chat-height=560px] - Panel height.
 * @cssprop [--support-chat-launcher-size=56px] - Launcher diameter.
 * @cssprop [--support-chat-shadow] - Shadow of the launcher and panel.
 * @cssprop [--support-chat-z-index=2147483000] - Stacking order on the host page.
 */
export class SupportChatElement extends LitElement {
  static override styles = styles;

  /** Transport used by new elements; unit tests replace it with a fake. */
  static transportFactory: TransportFactory = socketTransport;

  /** Base URL of the support server. Defaults to the origin this script was loaded from. */
  @property() server = '';

  /** The user token (a JWT signed by the host application's backend). */
  @property() token = '';

  /** The panel's heading; defaults to the locale's "Support". */
  @property() heading = '';

  /**
   * @deprecated Use `heading`. The `title` attribute still sets the heading for one release (with
   * a console warning); `heading` wins when both are set. As a global HTML attribute it is also the
   * browser's tooltip, which is why it gave way.
   */
  @property({ attribute: 'title' }) private titleAttribute: string | null = null;

  /** Corner the launcher sits in. */
  @property({ reflect: true }) position: SupportChatPosition = 'bottom-right';

  /** Whether the panel is open; reflects the `open` attribute. Setting it opens or closes the panel. */
  @property({ type: Boolean, reflect: true }) open = false;

  /** Silences the chime on agent replies. */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** BCP 47 locale for the strings (see `registerLocale`) and timestamps. */
  @property() locale = '';

  /** The availability line while an agent is online; defaults to the locale's "We're online". */
  @property({ attribute: 'availability-online' }) availabilityOnline = '';

  /** The availability line while the team is away. */
  @property({ attribute: 'availability-away' }) availabilityAway = '';

  /** The availability line while no agent is signed in; defaults to "We'll reply by email". */
  @property({ attribute: 'availability-offline' }) availabilityOffline = '';

  /** Replaces any of the built-in strings for this element only. */
  @property({ attribute: false }) strings: Partial<SupportChatStrings> = {};

  @state() private draft = '';
  @state() private announcement = '';

  @query('.launcher') private launcher!: HTMLButtonElement;
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('.log') private log!: HTMLElement;

  private readonly chime = new Chime();
  private readonly session = new ChatSession(
    {
      changed: () => this.requestUpdate(),
      messagesAdded: (messages, live) => this.onMessagesAdded(messages, live),
      tokenExpired: () => this.emit('support-chat-token-expired'),
    },
    {
      transport: (server, token, handlers) => SupportChatElement.transportFactory(server, token, handlers),
      storage: storage(),
    },
  );
  private lastUnread = 0;
  private lastRating = 0;
  private readonly times = new TimeFormatter();
  private scrollToEnd = false;
  private focusWasInside = false;
  private readonly onVisibility = () => this.updateViewing();

  /** Opens the panel. */
  show(): void {
    this.open = true;
  }

  /** Closes the panel. */
  hide(): void {
    this.open = false;
  }

  /** Opens the panel when closed, closes it when open. */
  toggle(): void {
    this.open = !this.open;
  }

  /** @deprecated Use `hide()`. */
  close(): void {
    deprecated('close()', 'hide()');
    this.hide();
  }

  /** @deprecated Use `open`, which is now a boolean property. */
  get isOpen(): boolean {
    deprecated('isOpen', 'open');
    return this.open;
  }
  set isOpen(value: boolean) {
    deprecated('isOpen', 'open');
    this.open = value;
  }

  /** Unread agent replies, as on the badge. */
  get unreadCount(): number {
    return this.session.unreadCount;
  }

  /** Whether the realtime connection is up. */
  get connected(): boolean {
    return this.session.connected;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.connectSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.session.stop();
    this.chime.dispose();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.times.locale = this.locale;
    if (this.titleAttribute) deprecated('the title attribute', 'heading');
    if ((changed.has('server') || changed.has('token')) && this.isConnected) this.connectSession();
    // Read before the render hides the panel: hiding it drops the focus it held.
    if (changed.has('open') && !this.open) this.focusWasInside = this.shadowRoot?.activeElement != null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && changed.get('open') !== undefined) {
      if (this.open) {
        this.scrollToEnd = true;
        this.textarea.focus();
        this.emit('support-chat-open');
      } else {
        if (this.focusWasInside) this.launcher.focus();
        this.emit('support-chat-close');
      }
      this.updateViewing();
    } else if (changed.has('open') && this.open) {
      this.scrollToEnd = true;
      this.updateViewing();
    }
    if (this.scrollToEnd) {
      this.scrollToEnd = false;
      this.log.scrollTop = this.log.scrollHeight;
    }
    // Screen readers hear the question when it appears, wherever the focus is.
    if (this.session.rating !== this.lastRating && (this.lastRating = this.session.rating) === 1) this.announcement = this.text.rate;
    const unread = this.session.unreadCount;
    if (unread !== this.lastUnread) {
      this.lastUnread = unread;
      this.emit<SupportChatUnreadChangeDetail>('support-chat-unread-change', { count: unread });
    }
  }

  private connectSession(): void {
    const server = (this.server || scriptOrigin).replace(/\/+$/, '');
    if (this.token) this.session.start(server, this.token);
    else this.session.reset();
  }

  private updateViewing(): void {
    this.session.setViewing(this.open && document.visibilityState !== 'hidden');
  }

  private onMessagesAdded(messages: SupportMessage[], live: boolean): void {
    const log = this.log;
    const nearBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight < STICK_TO_BOTTOM_PX;
    if (!live) {
      if (!this.session.loadingOlder) this.scrollToEnd = true;
      return;
    }
    const replies = messages.filter((m) => m.sender_type === 'admin');
    if (nearBottom || messages.some((m) => m.sender_type === 'user')) this.scrollToEnd = true;
    if (replies.length > 0) {
      if (!this.muted) this.chime.play();
      const latest = replies[replies.length - 1];
      this.announcement = this.text.newReply(latest.content, agentName(latest) || undefined);
    }
    for (const message of messages) this.emit<SupportChatMessageDetail>('support-chat-message', { message });
  }

  private get text(): SupportChatStrings {
    return resolveStrings(this.locale || undefined, this.strings);
  }

  private emit<T>(name: string, detail?: T): void {
    emit(this, name, detail);
  }

  private onLauncherClick(): void {
    if (!this.muted) this.chime.unlock();
    this.toggle();
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.hide();
    }
  }

  private onInput(event: Event): void {
    const area = event.target as HTMLTextAreaElement;
    this.draft = area.value;
    this.session.draftChanged(area.value);
    // Grow with the text up to the CSS max-height, then scroll.
    area.style.height = 'auto';
    area.style.height = `${area.scrollHeight + 2}px`;
  }

  private onBlur(): void {
    this.session.stopTyping();
  }

  private onTextareaKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.submit();
  }

  private submit(): void {
    if (!this.session.send(this.draft)) return;
    if (!this.muted) this.chime.unlock();
    this.draft = '';
    this.textarea.value = '';
    this.textarea.style.height = '';
    this.scrollToEnd = true;
  }

  private onRate(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    void this.session.rate(Number(data.get('score')), String(data.get('comment')));
  }

  private async onScroll(): Promise<void> {
    if (this.log.scrollTop < LOAD_OLDER_THRESHOLD_PX) await this.loadOlder();
  }

  /** Prepends the previous page without moving what the user is looking at. */
  private async loadOlder(): Promise<void> {
    if (!this.session.hasMore || this.session.loadingOlder) return;
    const log = this.log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    await this.session.loadOlder();
    await this.updateComplete;
    log.scrollTop = log.scrollHeight - fromBottom;
  }

  protected override render() {
    const t = this.text;
    const session = this.session;
    const unread = session.unreadCount;
    const heading = this.heading || this.titleAttribute || t.title;
    // While the deprecated title attribute is in use it is also the browser's tooltip for
    // everything inside the element: an empty title on the launcher and panel stops that.
    const noTooltip = this.titleAttribute ? '' : nothing;
    const launcherLabel = this.open
      ? t.closeChat
      : unread > 0
        ? `${t.openChat}, ${t.unread(unread)}`
        : t.openChat;
    const empty = session.loaded && session.store.size === 0 && session.pending.length === 0;
    // Like a messenger: "Seen" sits under the user's latest message, once an agent has read it.
    const own = session.store.messages.filter((m) => m.sender_type === 'user');
    const lastOwn = own[own.length - 1];
    const seenId = lastOwn?.read_at ? lastOwn.id : undefined;
    const availability = session.availability;
    const availabilityText =
      availability === 'online'
        ? this.availabilityOnline || t.availabilityOnline
        : availability === 'away'
          ? this.availabilityAway || t.availabilityAway
          : this.availabilityOffline || t.availabilityOffline;
    return html`
      <button
        part="launcher"
        class="launcher"
        type="button"
        title=${noTooltip}
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="panel"
        aria-label=${launcherLabel}
        @click=${this.onLauncherClick}
        @keydown=${this.onKeydown}
      >
        ${this.open ? closeIcon : chatIcon}
        ${unread > 0
          ? html`<span part="badge" class="badge" aria-hidden="true">${unread > 9 ? '9+' : unread}</span>`
          : nothing}
      </button>
      <section
        id="panel"
        part="panel"
        class="panel"
        role="dialog"
        aria-labelledby="heading"
        title=${noTooltip}
        lang=${this.locale || nothing}
        ?inert=${!this.open}
        @keydown=${this.onKeydown}
      >
        <div class="header">
          <span
            part="status"
            class="status"
            role="img"
            data-connected=${session.connected ? 'true' : 'false'}
            aria-label=${session.connected ? t.connected : t.disconnected}
            title=${session.connected ? t.connected : t.disconnected}
          ></span>
          <h2 id="heading">${heading}</h2>
          <button class="close" type="button" aria-label=${t.closeChat} @click=${this.hide}>${closeIcon}</button>
        </div>
        ${availability
          ? html`<p part="availability" class="availability" data-status=${availability}>${availabilityText}</p>`
          : nothing}
        <div class="log" tabindex="0" role="region" aria-label=${t.messages} @scroll=${this.onScroll}>
          ${session.hasMore
            ? html`<button class="earlier" type="button" @click=${this.loadOlder} ?disabled=${session.loadingOlder}>
                ${session.loadingOlder ? t.loading : t.loadEarlier}
              </button>`
            : nothing}
          ${empty ? html`<p class="empty">${this.token ? t.empty : t.signInRequired}</p>` : nothing}
          <ol>
            ${repeat(
              session.store.messages,
              (m) => m.id,
              (m) => messageTemplate(m, t, this.times.format(m.created_at), m.id === seenId),
            )}
            ${repeat(
              session.pending,
              (p) => p.client_id,
              (p) => pendingTemplate(p, t, session.connected, () => session.discard(p.client_id)),
            )}
          </ol>
        </div>
        ${session.agentTyping
          ? html`<p part="typing" class="typing">${t.typing(session.agentTyping.name ?? undefined)}</p>`
          : nothing}
        ${session.rating ? ratingTemplate(t, session.rating, (e) => this.onRate(e)) : nothing}
        <form @submit=${this.onSubmit}>
          <label class="visually-hidden" for="input">${t.inputLabel}</label>
          <textarea
            id="input"
            part="input"
            rows="1"
            maxlength=${MAX_CONTENT_LENGTH}
            placeholder=${t.placeholder}
            .value=${this.draft}
            ?disabled=${!this.token}
            @input=${this.onInput}
            @keydown=${this.onTextareaKeydown}
            @blur=${this.onBlur}
          ></textarea>
          <button part="send" class="send" type="submit" aria-label=${t.send} ?disabled=${this.draft.trim() === ''}>
            ${sendIcon}
          </button>
        </form>
      </section>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    `;
  }
}
