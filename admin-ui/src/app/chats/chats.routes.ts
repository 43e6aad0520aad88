import { Routes } from '@angular/router';
import { ChatsShellComponent } from './chats-shell.component';

export const CHATS_ROUTES: Routes = [
  {
    path: '',
    component: ChatsShellComponent,
    children: [
      {
        path: '',
        data: { archived: false },
        loadComponent: () =>
          import('./chat-list/chat-list.component').then((m) => m.ChatListComponent),
      },
      {
        path: 'archived',
        data: { archived: true },
        loadComponent: () =>
          import('./chat-list/chat-list.component').then((m) => m.ChatListComponent),
      },
      {
        path: ':id',
        loadComponent: () =>
          import('./chat-detail/chat-detail.component').then((m) => m.ChatDetailComponent),
      },
    ],
  },
];
