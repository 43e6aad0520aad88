import { Routes } from '@angular/router';

export const REPORTS_ROUTES: Routes = [
  {
    path: '',
    title: 'Reports · Support Chats',
    loadComponent: () => import('./reports.component').then((m) => m.ReportsComponent),
  },
];
