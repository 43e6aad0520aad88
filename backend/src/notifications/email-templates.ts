import Handlebars from 'handlebars';

export interface ReplyEmailModel {
  appName: string;
  userName: string | null;
  /** Up to a few unread replies, each already cut to the preview length. */
  previews: string[];
  moreCount: number;
  openUrl: string;
  unsubscribeUrl: string;
}

// Handlebars escapes every {{value}}, so message text can never become markup in the HTML part.
const html = Handlebars.compile<ReplyEmailModel>(
  `<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;color:#1f2933;max-width:560px;margin:0 auto;padding:24px">
<p>Hi{{#if userName}} {{userName}}{{/if}},</p>
<p>{{appName}} Support replied to you:</p>
{{#each previews}}<blockquote style="margin:12px 0;padding:8px 12px;border-left:3px solid #2563eb;background:#f3f4f6;white-space:pre-wrap">{{this}}</blockquote>
{{/each}}{{#if moreCount}}<p>…and {{moreCount}} more.</p>
{{/if}}<p><a href="{{openUrl}}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;text-decoration:none;border-radius:6px">Open the chat</a></p>
<p style="font-size:12px;color:#6b7280">You get this email because a reply is waiting unread.
<a href="{{unsubscribeUrl}}" style="color:#6b7280">Stop these emails</a>.</p>
</body></html>`,
  { strict: true },
);

const text = Handlebars.compile<ReplyEmailModel>(
  `Hi{{#if userName}} {{userName}}{{/if}},

{{appName}} Support replied to you:
{{#each previews}}
> {{this}}
{{/each}}{{#if moreCount}}
...and {{moreCount}} more.
{{/if}}
Open the chat: {{openUrl}}

You get this email because a reply is waiting unread. Stop these emails: {{unsubscribeUrl}}
`,
  { noEscape: true, strict: true },
);

export function renderReplyEmail(model: ReplyEmailModel): { subject: string; html: string; text: string } {
  return { subject: `New reply from ${model.appName} Support`, html: html(model), text: text(model) };
}

/** A preview of at most `max` characters, cut on a code point boundary. */
export function preview(content: string, max = 200): string {
  const chars = Array.from(content);
  return chars.length <= max ? content : `${chars.slice(0, max - 1).join('')}…`;
}
