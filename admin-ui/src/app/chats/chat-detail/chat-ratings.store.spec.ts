import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { SocketService } from '../../core/socket.service';
import { FakeSocketService } from '../../../testing/fake-socket';
import { ChatRatingsStore, ratingText } from './chat-ratings.store';

describe('ChatRatingsStore', () => {
  let socket: FakeSocketService;
  let backend: HttpTestingController;

  beforeEach(() => {
    socket = new FakeSocketService();
    TestBed.configureTestingModule({
      providers: [
        ChatRatingsStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SocketService, useValue: socket },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  it("loads the open chat's ratings and adds its live ones, once, in time order", () => {
    const store = TestBed.inject(ChatRatingsStore);
    store.open('chat-1');
    backend.expectOne('/api/admin/chats/chat-1/ratings').flush([
      {
        id: 'r1',
        chat_id: 'chat-1',
        score: 4,
        comment: '<b>fast</b>',
        archived_at: '2026-03-02T09:20:00.000Z',
        created_at: '2026-03-02T09:25:00.000Z',
      },
    ]);
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
    expect(store.lines().map((r) => [r.id, ratingText(r)])).toEqual([
      ['r1', 'Rated 4/5: <b>fast</b>'],
      ['r2', 'Rated 2/5'],
    ]);

    // Another chat starts from its own list.
    store.open('chat-2');
    expect(store.lines()).toEqual([]);
    backend.expectOne('/api/admin/chats/chat-2/ratings').flush([]);
  });
});
