import { Routes } from '@angular/router';

export const WEBHOOKS_ROUTES: Routes = [
  {
    path: '',
    title: 'Webhooks · Support Chats',
    loadComponent: () => import('./webhooks.component').then((m) => m.WebhooksComponent),
  },
];
