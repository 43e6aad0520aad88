import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { TeamApi } from '../team/team-api.service';
import type { AgentView } from '../../../../backend/src/contracts/wire';
import { BarChartComponent } from './bar-chart.component';
import { ReportsApi, type ReportRange, type SupportReport } from './reports-api.service';

const DAY_MS = 86_400_000;
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
const SCORES = ['1 Very bad', '2 Bad', '3 Okay', '4 Good', '5 Very good'];

/** A date in the browser's zone as YYYY-MM-DD. */
function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "45 s", "12 min", "2 h 05 min", "3 d 4 h": a wait as people say it. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * Admins' reports: a date range (the last 30 days by default) and an agent, the figures as
 * tiles, three charts with their numbers as tables, and the same numbers as a CSV download.
 */
@Component({
  selector: 'app-reports',
  imports: [BarChartComponent],
  templateUrl: './reports.component.html',
  styleUrls: ['../core/page-frame.css', './reports.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReportsComponent {
  private readonly api = inject(ReportsApi);
  private readonly team = inject(TeamApi);

  protected readonly from = signal(isoDay(new Date(Date.now() - 29 * DAY_MS)));
  protected readonly to = signal(isoDay(new Date()));
  protected readonly agent = signal('');
  protected readonly agents = signal<AgentView[]>([]);
  protected readonly report = signal<SupportReport | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly duration = duration;
  protected readonly hours = HOURS;
  protected readonly days = DAYS;
  protected readonly scores = SCORES;
  private readonly tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  private request = 0;

  protected readonly byHour = computed(() =>
    HOURS.map((_, h) => (this.report()?.busiest_hours ?? []).reduce((sum, day) => sum + day[h], 0)),
  );
  protected readonly byDay = computed(() =>
    (this.report()?.busiest_hours ?? DAYS.map(() => [])).map((day) =>
      day.reduce((a, b) => a + b, 0),
    ),
  );
  /** The busiest hour of the week, when anyone wrote at all. */
  protected readonly busiest = computed(() => {
    let best: { day: number; hour: number; n: number } | null = null;
    (this.report()?.busiest_hours ?? []).forEach((day, d) =>
      day.forEach((n, h) => {
        if (n > 0 && (!best || n > best.n)) best = { day: d, hour: h, n };
      }),
    );
    return best as { day: number; hour: number; n: number } | null;
  });

  constructor() {
    void this.load();
    firstValueFrom(this.team.list()).then(
      (agents) => this.agents.set(agents),
      () => this.agents.set([]),
    );
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected apply(event: Event): void {
    event.preventDefault();
    void this.load();
  }

  private range(): ReportRange {
    return { from: this.from(), to: this.to(), agent: this.agent(), tz: this.tz };
  }

  protected async load(): Promise<void> {
    const request = ++this.request;
    this.loading.set(true);
    this.error.set(null);
    try {
      const report = await firstValueFrom(this.api.report(this.range()));
      if (request === this.request) this.report.set(report);
    } catch (err) {
      if (request === this.request) this.error.set(errorMessage(err, 'Could not load the report.'));
    } finally {
      if (request === this.request) this.loading.set(false);
    }
  }

  protected async download(): Promise<void> {
    try {
      const csv = await firstValueFrom(this.api.csv(this.range()));
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `support-report-${this.from()}-to-${this.to()}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not download the CSV.'));
    }
  }
}
