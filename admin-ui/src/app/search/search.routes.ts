import { Routes } from '@angular/router';

export const SEARCH_ROUTES: Routes = [
  {
    path: '',
    title: 'Search · Support Chats',
    loadComponent: () => import('./search-page.component').then((m) => m.SearchPageComponent),
  },
];
