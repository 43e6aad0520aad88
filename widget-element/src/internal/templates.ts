import { html, nothing } from 'lit';
import type { SupportChatStrings } from './strings.js';
import type { PendingMessage, SupportMessage } from './types.js';

/** Today's messages show the time, older ones the date too; formatters are reused per locale. */
export class TimeFormatter {
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  locale = '';

  format(iso: string): string {
    const date = new Date(iso);
    const today = new Date().toDateString() === date.toDateString();
    const key = `${this.locale}|${today}`;
    let format = this.formats.get(key);
    if (!format) {
      const options: Intl.DateTimeFormatOptions = today
        ? { hour: '2-digit', minute: '2-digit' }
        : { dateStyle: 'medium', timeStyle: 'short' };
      try {
        format = new Intl.DateTimeFormat(this.locale || undefined, options);
      } catch {
        // An invalid locale tag must not blank the conversation.
        format = new Intl.DateTimeFormat(undefined, options);
      }
      this.formats.set(key, format);
    }
    return format.format(date);
  }
}

// Content goes in as a text binding only: Lit makes it a text node, so markup stays characters.

/** The agent's name to show on a reply: the snapshot taken when it was sent, if there is one. */
export function agentName(m: SupportMessage): string {
  return m.sender_type === 'admin' ? (m.sender_name?.trim() ?? '') : '';
}

export function messageTemplate(m: SupportMessage, t: SupportChatStrings, time: string, seen = false) {
  const agent = agentName(m);
  // A named reply says who wrote it out loud as well; otherwise screen readers hear "Support:".
  const author = agent
    ? html`<span part="agent" class="agent">${agent}</span><span class="visually-hidden">:</span>`
    : html`<span class="visually-hidden">${m.sender_type === 'user' ? t.you : t.agent}:</span>`;
  return html`<li part="message message-${m.sender_type}" class="message" data-sender=${m.sender_type} data-id=${m.id}>
    ${author}
    <p class="content">${m.content}</p>
    <div class="meta">
      <time datetime=${m.created_at}>${time}</time>${seen ? html`<span class="seen">· ${t.seen}</span>` : nothing}
    </div>
  </li>`;
}

/**
 * The rating prompt (1: asking, 2: thanks). Native radios make it one stop for Tab with arrows
 * between the choices; each choice's name is "3 Okay" to a screen reader, the number on screen.
 */
export function ratingTemplate(t: SupportChatStrings, rating: number, submit: (e: SubmitEvent) => void) {
  return rating > 1
    ? html`<p part="rating" class="rating" role="status">${t.thanks}</p>`
    : html`<form part="rating" class="rating" @submit=${submit}>
        <fieldset>
          <legend>${t.rate}</legend>
          ${t.scores.map(
            (name, i) =>
              html`<label><input type="radio" name="score" value=${i + 1} required /><span>${i + 1}</span
                ><span class="visually-hidden">${name}</span></label>`,
          )}
        </fieldset>
        <div class="ends" aria-hidden="true"><span>${t.scores[0]}</span><span>${t.scores[4]}</span></div>
        <textarea name="comment" rows="1" maxlength="1000" aria-label=${t.comment} placeholder=${t.comment}></textarea>
        <button type="submit">${t.sendRating}</button>
      </form>`;
}

export function pendingTemplate(p: PendingMessage, t: SupportChatStrings, connected: boolean, discard: () => void) {
  const status = p.failed ? t.notSent : connected ? t.sending : t.waitingForConnection;
  return html`<li
    part="message message-user"
    class="message"
    data-sender="user"
    data-pending="true"
    data-client-id=${p.client_id}
  >
    <span class="visually-hidden">${t.you}:</span>
    <p class="content">${p.content}</p>
    <div class="meta">
      <span>${status}</span>
      ${p.failed ? html`<button class="discard" type="button" @click=${discard}>${t.discard}</button>` : nothing}
    </div>
  </li>`;
}
