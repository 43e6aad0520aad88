import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { AuthService } from './auth.service';

const LOGIN_URL = '/api/auth/login';

/**
 * The only place that knows about the console token: it signs every API call and turns any
 * 401 (expired or revoked token) into a trip back to the login page.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const token = auth.token();
  const isApi = req.url.startsWith('/api/');
  const isLogin = req.url === LOGIN_URL;
  const signed =
    token && isApi && !isLogin
      ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } })
      : req;

  return next(signed).pipe(
    catchError((error: unknown) => {
      // A 401 on the login call itself is a wrong password, which the form shows. One for a
      // token that was replaced meanwhile (a password change) says nothing about the new one.
      if (
        error instanceof HttpErrorResponse &&
        error.status === 401 &&
        !isLogin &&
        auth.token() === token
      ) {
        auth.logout();
        const returnUrl = router.url.startsWith('/login') ? undefined : router.url;
        void router.navigate(['/login'], {
          queryParams: { session: 'ended', ...(returnUrl ? { returnUrl } : {}) },
        });
      }
      return throwError(() => error);
    }),
  );
};
