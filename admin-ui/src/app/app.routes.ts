import { Routes } from '@angular/router';
import { authGuard, guestGuard } from './core/auth.guard';

export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in · Support Chats',
    canActivate: [guestGuard],
    loadComponent: () => import('./login/login.component').then((m) => m.LoginComponent),
  },
  {
    path: 'chats',
    canActivate: [authGuard],
    loadChildren: () => import('./chats/chats.routes').then((m) => m.CHATS_ROUTES),
  },
  { path: '', pathMatch: 'full', redirectTo: 'chats' },
  { path: '**', redirectTo: 'chats' },
];
