import { Routes } from '@angular/router';
import { adminGuard, authGuard, guestGuard } from './core/auth.guard';

export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in · Support Chats',
    canActivate: [guestGuard],
    loadComponent: () => import('./login/login.component').then((m) => m.LoginComponent),
  },
  {
    // Public: reached from a one-time link an admin sent, before the agent has a password.
    path: 'set-password',
    title: 'Set your password · Support Chats',
    loadComponent: () =>
      import('./set-password/set-password.component').then((m) => m.SetPasswordComponent),
  },
  {
    path: '',
    canActivate: [authGuard],
    loadComponent: () => import('./shell/shell.component').then((m) => m.ShellComponent),
    children: [
      {
        path: 'chats',
        loadChildren: () => import('./chats/chats.routes').then((m) => m.CHATS_ROUTES),
      },
      {
        path: 'team',
        canActivate: [adminGuard],
        loadChildren: () => import('./team/team.routes').then((m) => m.TEAM_ROUTES),
      },
      {
        path: 'labels',
        canActivate: [adminGuard],
        loadChildren: () => import('./labels/labels.routes').then((m) => m.LABELS_ROUTES),
      },
      {
        path: 'canned',
        canActivate: [adminGuard],
        loadChildren: () => import('./canned/canned.routes').then((m) => m.CANNED_ROUTES),
      },
      {
        path: 'api-keys',
        canActivate: [adminGuard],
        loadChildren: () => import('./api-keys/api-keys.routes').then((m) => m.API_KEYS_ROUTES),
      },
      {
        path: 'webhooks',
        canActivate: [adminGuard],
        loadChildren: () => import('./webhooks/webhooks.routes').then((m) => m.WEBHOOKS_ROUTES),
      },
      {
        path: 'reports',
        canActivate: [adminGuard],
        loadChildren: () => import('./reports/reports.routes').then((m) => m.REPORTS_ROUTES),
      },
      {
        path: 'search',
        loadChildren: () => import('./search/search.routes').then((m) => m.SEARCH_ROUTES),
      },
      {
        path: 'profile',
        loadChildren: () => import('./profile/profile.routes').then((m) => m.PROFILE_ROUTES),
      },
      { path: '', pathMatch: 'full', redirectTo: 'chats' },
    ],
  },
  { path: '**', redirectTo: 'chats' },
];
