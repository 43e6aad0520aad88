import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { ClockService } from '../core/clock.service';
import { chatItem, message } from '../../testing/factories';
import { SearchPageComponent } from './search-page.component';
import type { SearchPage } from './search-api.service';

describe('SearchPageComponent', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [SearchPageComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        {
          provide: ClockService,
          useValue: { now: signal(Date.parse('2024-01-30T12:00:00.000Z')) },
        },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function searchFor(q: string) {
    const fixture = TestBed.createComponent(SearchPageComponent);
    fixture.componentRef.setInput('q', q);
    fixture.detectChanges();
    await fixture.whenStable();
    return fixture;
  }

  it('draws the snippet as text with <mark> elements, whatever markup the content holds', async () => {
    const fixture = await searchFor('invoice');
    const snippet = '<img src=x onerror="alert(1)"> invoice due';
    const page: SearchPage = {
      items: [
        {
          chat: chatItem({ id: 'c1', user_name: 'Ana' }),
          message: message({ id: 'm1', chat_id: 'c1', content: snippet, private: true }),
          snippet,
          highlights: [[31, 38]],
        },
      ],
      next_cursor: 'next',
    };
    backend
      .expectOne((r) => r.url === '/api/admin/search' && r.params.get('q') === 'invoice')
      .flush(page);
    await fixture.whenStable();
    fixture.detectChanges();
    const el: HTMLElement = fixture.nativeElement;
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('.snippet')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(snippet);
    expect([...el.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['invoice']);
    expect(el.querySelector('.note-badge')?.textContent).toBe('Note');
    expect(el.querySelector('a.open')?.getAttribute('href')).toBe('/chats/c1?message=m1');
    expect(el.querySelector('[role=status]')?.textContent).toContain('1+ result for “invoice”');

    (el.querySelector('button.more') as HTMLButtonElement).click();
    backend
      .expectOne((r) => r.params.get('cursor') === 'next')
      .flush({ items: [], next_cursor: null });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el.querySelector('button.more')).toBeNull();
  });

  it("says the server's reason when a query is refused", async () => {
    const fixture = await searchFor('the');
    backend
      .expectOne((r) => r.url === '/api/admin/search')
      .flush(
        { statusCode: 400, message: 'q has nothing to search for', error: 'Bad Request' },
        { status: 400, statusText: 'Bad Request' },
      );
    await fixture.whenStable();
    fixture.detectChanges();
    const alert = (fixture.nativeElement as HTMLElement).querySelector('[role=alert]');
    expect(alert?.textContent).toContain('q has nothing to search for');
  });
});
