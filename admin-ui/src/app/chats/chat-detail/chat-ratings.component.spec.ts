import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SocketService } from '../../core/socket.service';
import { FakeSocketService } from '../../../testing/fake-socket';
import { ChatRatingsComponent } from './chat-ratings.component';

describe('ChatRatingsComponent', () => {
  let socket: FakeSocketService;
  let backend: HttpTestingController;

  beforeEach(() => {
    socket = new FakeSocketService();
    TestBed.configureTestingModule({
      imports: [ChatRatingsComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SocketService, useValue: socket },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  const rating = (id: string, score: number, comment: string | null, at: string) => ({
    id,
    chat_id: 'chat-1',
    score,
    comment,
    archived_at: at,
    created_at: at,
  });

  it("lists the chat's ratings as plain text and adds this chat's live ones, once", async () => {
    const fixture = TestBed.createComponent(ChatRatingsComponent);
    fixture.componentRef.setInput('chatId', 'chat-1');
    fixture.detectChanges();
    backend
      .expectOne('/api/admin/chats/chat-1/ratings')
      .flush([rating('r1', 4, '<b>fast</b>', '2026-03-02T09:25:00.000Z')]);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const lines = () => [...el.querySelectorAll('[data-kind="rating"]')] as HTMLElement[];
    expect(lines().map((l) => l.querySelector('span')!.textContent)).toEqual([
      'Rated 4/5: <b>fast</b>',
    ]);
    expect(el.querySelector('b')).toBeNull();

    const live = { id: 'r2', score: 2, comment: null, created_at: '2026-03-04T11:05:00.000Z' };
    socket.serverEmits('rating_created', {
      type: 'rating_created',
      chat_id: 'other',
      rating: live,
    });
    socket.serverEmits('rating_created', {
      type: 'rating_created',
      chat_id: 'chat-1',
      rating: live,
    });
    socket.serverEmits('rating_created', {
      type: 'rating_created',
      chat_id: 'chat-1',
      rating: live,
    });
    await fixture.whenStable();
    expect(lines().map((l) => [l.dataset['ratingId'], l.dataset['score']])).toEqual([
      ['r1', '4'],
      ['r2', '2'],
    ]);
    expect(lines()[1].querySelector('span')!.textContent).toBe('Rated 2/5');
  });
});
