import { Routes } from '@angular/router';

export const API_KEYS_ROUTES: Routes = [
  {
    path: '',
    title: 'API keys and retention · Support Chats',
    loadComponent: () => import('./api-keys.component').then((m) => m.ApiKeysComponent),
  },
];
