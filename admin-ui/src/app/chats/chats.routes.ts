import { Routes } from '@angular/router';
import { keepListFilters } from './inbox/keep-filters.guard';

// Inside the shell, which provides the ChatsStore these pages share. The inbox holds the list
// and, in its outlet, the open chat: side by side on a wide screen, one at a time on a narrow one.
export const CHATS_ROUTES: Routes = [
  {
    path: '',
    loadComponent: () => import('./inbox/inbox.component').then((m) => m.InboxComponent),
    children: [
      {
        path: '',
        pathMatch: 'full',
        data: { tab: 'active' },
        canActivate: [keepListFilters],
        children: [],
      },
      { path: 'archived', data: { tab: 'archived' }, canActivate: [keepListFilters], children: [] },
      {
        path: ':id',
        loadComponent: () =>
          import('./chat-detail/chat-detail.component').then((m) => m.ChatDetailComponent),
      },
    ],
  },
];
