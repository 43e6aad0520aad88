import { Routes } from '@angular/router';

export const CANNED_ROUTES: Routes = [
  {
    path: '',
    title: 'Canned replies · Support Chats',
    loadComponent: () => import('./canned.component').then((m) => m.CannedComponent),
  },
];
