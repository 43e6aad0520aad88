import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { SupportReport } from '../../../../backend/src/contracts/wire';

export type { SupportReport };

export interface ReportRange {
  from: string;
  to: string;
  /** An agent's id, or empty for the whole team. */
  agent: string;
  tz: string;
}

/** The reports API (admins only): the figures as JSON, and the same numbers as CSV. */
@Injectable({ providedIn: 'root' })
export class ReportsApi {
  private readonly http = inject(HttpClient);

  report(range: ReportRange): Observable<SupportReport> {
    return this.http.get<SupportReport>('/api/admin/reports', { params: params(range) });
  }

  csv(range: ReportRange): Observable<string> {
    return this.http.get('/api/admin/reports.csv', { params: params(range), responseType: 'text' });
  }
}

function params(range: ReportRange): HttpParams {
  let p = new HttpParams().set('from', range.from).set('to', range.to).set('tz', range.tz);
  if (range.agent) p = p.set('agent', range.agent);
  return p;
}
