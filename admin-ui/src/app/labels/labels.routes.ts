import { Routes } from '@angular/router';

export const LABELS_ROUTES: Routes = [
  {
    path: '',
    title: 'Labels · Support Chats',
    loadComponent: () => import('./labels.component').then((m) => m.LabelsComponent),
  },
];
