import { TestBed } from '@angular/core/testing';
import { NotifierService } from './notifier.service';

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static created: FakeNotification[] = [];
  static requestPermission = vi.fn(() => Promise.resolve<NotificationPermission>('granted'));
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.created.push(this);
  }
  close(): void {
    this.closed = true;
  }
}

describe('NotifierService', () => {
  let visibility: DocumentVisibilityState;

  beforeEach(() => {
    visibility = 'visible';
    FakeNotification.created = [];
    FakeNotification.permission = 'granted';
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
    (window as Window & { Notification?: unknown }).Notification = FakeNotification;
  });

  afterEach(() => {
    delete (window as Window & { Notification?: unknown }).Notification;
    delete (document as Partial<Document> & { visibilityState?: unknown }).visibilityState;
  });

  const notice = { chatId: 'c1', from: 'dana@example.com', text: 'Help with my invoice' };

  it('stays quiet while the console is on screen', () => {
    const notifier = TestBed.inject(NotifierService);
    expect(notifier.notify(notice, () => undefined)).toBe(false);
    expect(FakeNotification.created).toEqual([]);
  });

  it('shows a desktop notification when the tab is hidden, one per chat, opening the chat on click', () => {
    visibility = 'hidden';
    const notifier = TestBed.inject(NotifierService);
    const open = vi.fn();
    expect(notifier.notify(notice, open)).toBe(true);
    const [shown] = FakeNotification.created;
    expect(shown.title).toBe('New message from dana@example.com');
    expect(shown.options).toMatchObject({ body: 'Help with my invoice', tag: 'support-chat-c1' });
    shown.onclick?.();
    expect(open).toHaveBeenCalled();
    expect(shown.closed).toBe(true);
  });

  it('shows nothing until the agent has allowed it', async () => {
    visibility = 'hidden';
    FakeNotification.permission = 'default';
    const notifier = TestBed.inject(NotifierService);
    expect(notifier.permission()).toBe('default');
    expect(notifier.notify(notice, () => undefined)).toBe(false);
    await notifier.enable();
    expect(FakeNotification.requestPermission).toHaveBeenCalled();
    expect(notifier.permission()).toBe('granted');
  });
});
