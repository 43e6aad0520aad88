import { Routes } from '@angular/router';

// Inside the shell, which provides the ChatsStore these pages share.
export const CHATS_ROUTES: Routes = [
  {
    path: '',
    data: { archived: false },
    loadComponent: () => import('./chat-list/chat-list.component').then((m) => m.ChatListComponent),
  },
  {
    path: 'archived',
    data: { archived: true },
    loadComponent: () => import('./chat-list/chat-list.component').then((m) => m.ChatListComponent),
  },
  {
    path: ':id',
    loadComponent: () =>
      import('./chat-detail/chat-detail.component').then((m) => m.ChatDetailComponent),
  },
];
