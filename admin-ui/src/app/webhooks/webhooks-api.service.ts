import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import type {
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../../../../backend/src/contracts/wire';

export type {
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookEventType,
};

export interface NewWebhook {
  url: string;
  event_types: WebhookEventType[];
  include_private: boolean;
  description?: string;
}

/** Admins' webhook endpoints, their secrets (shown once) and their deliveries. */
@Injectable({ providedIn: 'root' })
export class WebhooksApi {
  private readonly http = inject(HttpClient);
  private readonly base = '/api/admin/webhooks';

  list(): Observable<WebhookEndpointView[]> {
    return this.http.get<WebhookEndpointView[]>(this.base);
  }

  create(webhook: NewWebhook): Observable<WebhookEndpointWithSecret> {
    return this.http.post<WebhookEndpointWithSecret>(this.base, webhook);
  }

  update(
    id: string,
    changes: Partial<NewWebhook> & { enabled?: boolean },
  ): Observable<WebhookEndpointView> {
    return this.http.patch<WebhookEndpointView>(`${this.base}/${encodeURIComponent(id)}`, changes);
  }

  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/${encodeURIComponent(id)}`);
  }

  rotate(id: string): Observable<WebhookEndpointWithSecret> {
    return this.http.post<WebhookEndpointWithSecret>(
      `${this.base}/${encodeURIComponent(id)}/rotate`,
      {},
    );
  }

  deliveries(id: string): Observable<WebhookDeliveryPage> {
    return this.http.get<WebhookDeliveryPage>(
      `${this.base}/${encodeURIComponent(id)}/deliveries?limit=25`,
    );
  }

  resend(id: string, deliveryId: string): Observable<WebhookDelivery> {
    return this.http.post<WebhookDelivery>(
      `${this.base}/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`,
      {},
    );
  }
}
