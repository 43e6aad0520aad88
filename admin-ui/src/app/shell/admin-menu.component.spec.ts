import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { BlankComponent } from '../../testing/blank.component';
import { AdminMenuComponent } from './admin-menu.component';

describe('AdminMenuComponent', () => {
  let fixture: ComponentFixture<AdminMenuComponent>;
  let el: HTMLElement;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [AdminMenuComponent],
      providers: [provideRouter([{ path: '**', component: BlankComponent }])],
    });
    fixture = TestBed.createComponent(AdminMenuComponent);
    el = fixture.nativeElement as HTMLElement;
    // Focus and clicks outside need the menu in the document.
    document.body.appendChild(el);
    await settle();
  });

  afterEach(() => el.remove());

  async function settle(): Promise<void> {
    await fixture.whenStable();
    fixture.detectChanges();
  }

  const toggle = () => el.querySelector<HTMLButtonElement>('button.toggle')!;
  const list = () => el.querySelector<HTMLElement>('#admin-pages')!;
  const focused = () => (document.activeElement as HTMLElement | null)?.textContent?.trim();
  const press = async (
    key: string,
    target: HTMLElement = document.activeElement as HTMLElement,
  ) => {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    await settle();
    return event;
  };

  it('is a disclosure: the button says whether its list of the admin pages is shown', async () => {
    expect(toggle().getAttribute('aria-controls')).toBe('admin-pages');
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(list().hidden).toBe(true);
    expect(Array.from(list().querySelectorAll('a')).map((a) => a.getAttribute('href'))).toEqual([
      '/team',
      '/labels',
      '/canned',
      '/api-keys',
      '/webhooks',
    ]);
    toggle().click();
    await settle();
    expect(toggle().getAttribute('aria-expanded')).toBe('true');
    expect(list().hidden).toBe(false);
    toggle().click();
    await settle();
    expect(list().hidden).toBe(true);
  });

  it('moves through the links with the arrows, Home and End, and Escape returns to the button', async () => {
    toggle().focus();
    await press('ArrowDown');
    expect(list().hidden).toBe(false);
    expect(focused()).toBe('Team');
    await press('ArrowUp');
    expect(focused()).toBe('Webhooks');
    await press('Home');
    expect(focused()).toBe('Team');
    await press('End');
    expect(focused()).toBe('Webhooks');
    await press('ArrowDown');
    expect(focused()).toBe('Team');

    // Escape is the menu's alone: the conversation behind must not go back to the list too.
    const heard: KeyboardEvent[] = [];
    const listener = (e: Event) => heard.push(e as KeyboardEvent);
    document.addEventListener('keydown', listener);
    const escape = await press('Escape');
    document.removeEventListener('keydown', listener);
    expect(escape.defaultPrevented).toBe(true);
    expect(heard).toEqual([]);
    expect(list().hidden).toBe(true);
    expect(document.activeElement).toBe(toggle());

    // Closed, Escape is left to the page.
    expect((await press('Escape')).defaultPrevented).toBe(false);
  });

  it('closes when a page is chosen, on a click elsewhere and when focus leaves it', async () => {
    toggle().click();
    await settle();
    await TestBed.inject(Router).navigateByUrl('/webhooks');
    await settle();
    expect(list().hidden).toBe(true);
    // The button shows that one of its pages is on screen, and the link says which.
    expect(toggle().classList).toContain('current');
    expect(el.querySelector('a.webhooks-link')?.getAttribute('aria-current')).toBe('page');

    toggle().click();
    await settle();
    document.body.click();
    await settle();
    expect(list().hidden).toBe(true);

    const outside = document.body.appendChild(document.createElement('button'));
    toggle().click();
    await settle();
    el.querySelector<HTMLAnchorElement>('a.team-link')!.focus();
    outside.focus();
    await settle();
    expect(list().hidden).toBe(true);
    outside.remove();
  });
});
