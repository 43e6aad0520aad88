import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { firstValueFrom } from 'rxjs';
import { AgentPresenceEvent, PresenceStatus } from '../core/api.types';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';

export interface AgentPresence {
  agent_id: string;
  name: string;
  status: PresenceStatus;
}

const ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

/**
 * Who of the team is at their desk, and the signed-in agent's away switch. The list is read
 * once the agents' room is joined (and again after a reconnect); `agent_presence` keeps it
 * live. Changes heard while a read is in flight are laid over its answer, which may predate them.
 */
@Injectable()
export class PresenceStore {
  private readonly http = inject(HttpClient);
  private readonly socket = inject(SocketService);
  private readonly auth = inject(AuthService);
  private readonly agents = signal<ReadonlyMap<string, AgentPresence>>(new Map());
  private heardWhileReading: AgentPresence[] | null = null;
  private generation = 0;

  /** Online first, then away, then offline; by name within each. */
  readonly team = computed(() =>
    [...this.agents().values()].sort(
      (a, b) => ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name),
    ),
  );
  readonly onlineCount = computed(() => this.team().filter((a) => a.status === 'online').length);
  /** The signed-in agent's presence as the team sees it; online until the server says more. */
  readonly mine = computed<PresenceStatus>(() => {
    const me = this.auth.admin()?.id;
    return (me && this.agents().get(me)?.status) || 'online';
  });
  readonly switching = signal(false);

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.socket
      .on('agent_presence')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((event) => this.apply(event));
    this.socket.reconnected$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => void this.read());
    void this.socket.joinAdminRoom().then(() => this.read());
  }

  /** The away switch: the server answers with the status the team now sees. */
  async setMine(status: 'online' | 'away'): Promise<void> {
    const me = this.auth.admin();
    if (!me || this.switching()) return;
    this.switching.set(true);
    try {
      const ack = await this.socket.setPresence(status);
      if (ack.ok) this.apply({ agent_id: me.id, name: me.name ?? me.email, status: ack.status });
    } finally {
      this.switching.set(false);
    }
  }

  private apply(event: Pick<AgentPresenceEvent, 'agent_id' | 'name' | 'status'>): void {
    const entry = { agent_id: event.agent_id, name: event.name, status: event.status };
    this.heardWhileReading?.push(entry);
    this.agents.update((agents) => {
      const known = agents.get(entry.agent_id);
      const next = new Map(agents);
      // A presence event may come with an empty name (an agent added on another instance).
      next.set(entry.agent_id, { ...entry, name: entry.name || known?.name || 'Agent' });
      return next;
    });
  }

  private async read(): Promise<void> {
    const generation = ++this.generation;
    const heard: AgentPresence[] = [];
    this.heardWhileReading = heard;
    try {
      const list = await firstValueFrom(this.http.get<AgentPresence[]>('/api/admin/presence'));
      if (generation !== this.generation) return;
      this.heardWhileReading = null;
      this.agents.set(new Map(list.map((a) => [a.agent_id, a])));
      for (const event of heard) this.apply(event);
    } catch {
      // Live events still fill the list in; the next reconnect reads it again.
      if (generation === this.generation) this.heardWhileReading = null;
    }
  }
}
