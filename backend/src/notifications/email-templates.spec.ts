import { preview, renderReplyEmail } from './email-templates';

const model = {
  appName: 'Acme',
  userName: 'Ada <admin>',
  previews: ['<script>alert(1)</script> & more'],
  moreCount: 0,
  openUrl: 'https://app.example.com/?a=1&b=2',
  unsubscribeUrl: 'https://support.example.com/api/unsubscribe?token=t',
};

describe('reply email', () => {
  it('has the subject, both parts and both links', () => {
    const email = renderReplyEmail(model);
    expect(email.subject).toBe('New reply from Acme Support');
    expect(email.text).toContain('Open the chat: https://app.example.com/?a=1&b=2');
    expect(email.text).toContain('https://support.example.com/api/unsubscribe?token=t');
    expect(email.html).toContain('href="https://support.example.com/api/unsubscribe?token&#x3D;t"');
  });

  it('escapes message text and names in the HTML part', () => {
    const { html } = renderReplyEmail(model);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).toContain('Ada &lt;admin&gt;');
  });

  it('says how many more replies wait beyond the listed ones', () => {
    expect(renderReplyEmail({ ...model, moreCount: 3 }).text).toContain('...and 3 more.');
    expect(renderReplyEmail(model).text).not.toContain('more.');
  });

  it('cuts previews at 200 characters without splitting a character', () => {
    expect(preview('short')).toBe('short');
    expect(preview('x'.repeat(200))).toBe('x'.repeat(200));
    const cut = preview('😀'.repeat(250));
    expect(Array.from(cut)).toHaveLength(200);
    expect(cut.endsWith('…')).toBe(true);
  });
});
