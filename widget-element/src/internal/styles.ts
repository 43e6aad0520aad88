import { css } from 'lit';

// Every colour and size an integrator may want goes through a --support-chat-* property; the
// defaults meet WCAG AA contrast so axe stays clean out of the box.
export const styles = css`
  :host {
    --_primary: var(--support-chat-primary, #2563eb);
    --_on-primary: var(--support-chat-on-primary, #ffffff);
    --_surface: var(--support-chat-surface, #ffffff);
    --_text: var(--support-chat-text, #0f172a);
    --_muted: var(--support-chat-muted, #f1f5f9);
    --_muted-text: var(--support-chat-muted-text, #475569);
    --_border: var(--support-chat-border, #e2e8f0);
    --_badge: var(--support-chat-badge, #dc2626);
    --_on-badge: var(--support-chat-on-badge, #ffffff);
    --_online: var(--support-chat-online, #16a34a);
    --_offline: var(--support-chat-offline, #94a3b8);
    --_radius: var(--support-chat-radius, 16px);
    --_offset: var(--support-chat-offset, 20px);
    --_width: var(--support-chat-width, 370px);
    --_height: var(--support-chat-height, 560px);
    --_shadow: var(--support-chat-shadow, 0 12px 40px rgb(15 23 42 / 0.22));
    --_focus: var(--support-chat-focus, #1d4ed8);
    --_launcher-size: var(--support-chat-launcher-size, 56px);

    position: fixed;
    z-index: var(--support-chat-z-index, 2147483000);
    inset: auto var(--_offset) var(--_offset) auto;
    font-family: var(--support-chat-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 15px;
    line-height: 1.4;
    color: var(--_text);
  }
  :host([position='bottom-left']) {
    inset: auto auto var(--_offset) var(--_offset);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  svg {
    display: block;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  .launcher {
    position: relative;
    display: grid;
    place-items: center;
    width: var(--_launcher-size);
    height: var(--_launcher-size);
    border: 0;
    border-radius: 50%;
    background: var(--_primary);
    color: var(--_on-primary);
    box-shadow: var(--_shadow);
    transition: transform 0.15s ease;
  }
  .launcher:hover {
    transform: scale(1.05);
  }
  .launcher svg {
    width: 26px;
    height: 26px;
  }
  .badge {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 22px;
    height: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: var(--_badge);
    color: var(--_on-badge);
    font-size: 12px;
    font-weight: 700;
    line-height: 22px;
    text-align: center;
  }

  .panel {
    position: absolute;
    bottom: calc(var(--_launcher-size) + 14px);
    right: 0;
    display: flex;
    flex-direction: column;
    width: min(var(--_width), calc(100vw - 2 * var(--_offset)));
    height: min(var(--_height), calc(100vh - var(--_launcher-size) - 3 * var(--_offset)));
    overflow: hidden;
    border-radius: var(--_radius);
    background: var(--_surface);
    box-shadow: var(--_shadow);
    opacity: 0;
    transform: translateY(16px);
    visibility: hidden;
    transition:
      opacity 0.2s ease,
      transform 0.2s ease,
      visibility 0s linear 0.2s;
  }
  :host([position='bottom-left']) .panel {
    right: auto;
    left: 0;
  }
  :host([open]) .panel {
    opacity: 1;
    transform: none;
    visibility: visible;
    transition:
      opacity 0.2s ease,
      transform 0.2s ease;
  }
  @media (prefers-reduced-motion: reduce) {
    .panel,
    :host([open]) .panel,
    .launcher {
      transition: none;
    }
  }

  /* A div, not <header>: an embedded widget must not add a banner landmark to the host page. */
  .header {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 14px 12px 14px 18px;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  h2 {
    flex: 1;
    margin: 0;
    font-size: 16px;
    font-weight: 600;
  }
  .status {
    flex: none;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--_offline);
    box-shadow: 0 0 0 2px var(--_on-primary);
  }
  .typing {
    margin: 0;
    padding: 4px 16px;
    font-size: 12px;
    font-style: italic;
    color: var(--_muted-text);
  }
  .availability {
    margin: 0;
    padding: 0 18px 10px;
    background: var(--_primary);
    color: var(--_on-primary);
    font-size: 13px;
  }
  .status[data-connected='true'] {
    background: var(--_online);
  }
  .close {
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    border: 0;
    border-radius: 50%;
    background: transparent;
    color: inherit;
  }
  .close svg {
    width: 20px;
    height: 20px;
  }

  .log {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 12px 14px;
  }
  .earlier {
    display: block;
    margin: 0 auto 10px;
    padding: 4px 12px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
    color: var(--_muted-text);
    font-size: 13px;
  }
  .empty {
    margin: 24px 8px;
    color: var(--_muted-text);
    text-align: center;
  }
  ol {
    display: flex;
    flex-direction: column;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .message {
    max-width: 80%;
    padding: 8px 12px;
    border-radius: 14px;
    overflow-wrap: anywhere;
  }
  .message[data-sender='user'] {
    align-self: flex-end;
    border-bottom-right-radius: 4px;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .message[data-sender='admin'] {
    align-self: flex-start;
    border-bottom-left-radius: 4px;
    background: var(--_muted);
    color: var(--_text);
  }
  .agent {
    display: block;
    margin-bottom: 2px;
    color: var(--_muted-text);
    font-size: 12px;
    font-weight: 600;
  }
  .message[data-pending='true'] {
    opacity: 0.85;
  }
  /* Only the text keeps its line breaks; the template's own whitespace must not show. */
  .content {
    margin: 0;
    white-space: pre-wrap;
  }
  .meta {
    display: flex;
    justify-content: flex-end;
    gap: 6px;
    margin-top: 2px;
    font-size: 12px;
  }
  .message[data-sender='admin'] .meta {
    color: var(--_muted-text);
  }
  .discard {
    padding: 0;
    border: 0;
    background: none;
    color: inherit;
    text-decoration: underline;
    font-size: 12px;
  }

  form {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 10px 12px;
    border-top: 1px solid var(--_border);
  }
  .rating {
    display: block;
    margin: 0;
    font-size: 13px;
  }
  fieldset {
    display: flex;
    gap: 6px;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding-bottom: 6px;
    font-weight: 600;
  }
  fieldset label {
    flex: 1;
  }
  fieldset input {
    position: absolute;
    opacity: 0;
  }
  fieldset span:first-of-type {
    display: block;
    padding: 6px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    text-align: center;
    cursor: pointer;
  }
  input:checked + span {
    background: var(--_primary);
    color: var(--_on-primary);
  }
  input:focus-visible + span {
    outline: 2px solid var(--_focus);
  }
  .ends {
    display: flex;
    justify-content: space-between;
    margin: 2px 0 6px;
    color: var(--_muted-text);
    font-size: 11px;
  }
  .rating textarea {
    width: 100%;
    box-sizing: border-box;
    min-height: 0;
  }
  .rating button {
    margin-top: 6px;
    padding: 6px 14px;
    border: 0;
    border-radius: 8px;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  textarea {
    flex: 1;
    min-height: 40px;
    max-height: 140px;
    padding: 9px 12px;
    resize: none;
    border: 1px solid var(--_border);
    border-radius: 12px;
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  textarea::placeholder {
    color: var(--_muted-text);
  }
  .send {
    display: grid;
    flex: none;
    place-items: center;
    width: 40px;
    height: 40px;
    border: 0;
    border-radius: 50%;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .send:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .send svg {
    width: 20px;
    height: 20px;
  }

  /* On a phone the panel takes the whole screen; its own close button replaces the launcher. */
  @media (max-width: 479.98px) {
    :host([open]) .launcher {
      display: none;
    }
    .panel,
    :host([position='bottom-left']) .panel {
      position: fixed;
      inset: 0;
      width: 100%;
      height: 100%;
      border-radius: 0;
    }
  }
`;
