import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SupportReport } from '../contracts/wire';
import type { ReportQuery } from './dto/report.dto';
import { FIRST_RESPONSE_SQL, FIRST_RESPONSE_WORK_MEM, MESSAGES_SQL, SUMMARY_SQL } from './report.sql';
import { ReportRollup } from './report-rollup';

const DAY_MS = 86_400_000;
export const MAX_REPORT_DAYS = 366;
const DEFAULT_REPORT_DAYS = 30;

interface MessageRow { dow: number; hour: number; users: number; agents: number; notes: number; new_chats: number; bursts: number }
interface FirstResponseRow { answered_all: number; closed: number; answered: number; waits: number[] | null }
interface SummaryRow {
  reopened: number;
  resolved: number; resolutions: number[] | null;
  rated: number; average: number | null; distribution: number[];
}

/**
 * Figures for a date range: three statements, each one range scan over an indexed column of the
 * report tables, the archives or the ratings (the first responses' in a transaction of its own,
 * for its sort's memory). Definitions are in the README ("Reports").
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rollup: ReportRollup,
  ) {}

  async report(query: ReportQuery): Promise<SupportReport> {
    const { from, to, tz } = range(query);
    const agent = query.agent?.toLowerCase() ?? null;
    await this.rollup.freshen();
    const params = [from, to, agent, tz];
    // Three statements on three connections at once: the report takes as long as the slowest.
    const [messages, [first], [summary]] = await Promise.all([
      this.db.query(MESSAGES_SQL, params) as Promise<MessageRow[]>,
      this.db.transaction(async (tx) => {
        await tx.query(FIRST_RESPONSE_WORK_MEM);
        return tx.query(FIRST_RESPONSE_SQL, params) as Promise<FirstResponseRow[]>;
      }),
      this.db.query(SUMMARY_SQL, params) as Promise<SummaryRow[]>,
    ]).catch((err: unknown) => {
      // A zone this runtime knows but Postgres does not.
      if ((err as { driverError?: { code?: string } })?.driverError?.code === '22023') throw new BadRequestException(`tz "${tz}" is not a known time zone`);
      throw err;
    });
    const busiest = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    const counts = { by_user: 0, by_agent: 0, notes: 0 };
    let newChats = 0;
    let bursts = 0;
    for (const row of messages) {
      counts.by_user += row.users;
      counts.by_agent += row.agents;
      counts.notes += row.notes;
      newChats += row.new_chats;
      bursts += row.bursts;
      busiest[row.dow - 1][row.hour] += row.users;
    }
    return {
      from,
      to,
      tz,
      agent_id: agent,
      conversations: { started: newChats + summary.reopened, new: newChats, reopened: summary.reopened },
      messages: counts,
      first_response: {
        bursts,
        answered: first.answered,
        unanswered: bursts - first.answered_all - first.closed,
        median_seconds: seconds(first.waits ? first.waits[0] / 1000 : null),
        p90_seconds: seconds(first.waits ? first.waits[1] / 1000 : null),
      },
      resolution: {
        resolved: summary.resolved,
        median_seconds: seconds(summary.resolutions?.[0] ?? null),
        p90_seconds: seconds(summary.resolutions?.[1] ?? null),
      },
      ratings: {
        count: summary.rated,
        average: summary.average === null ? null : Math.round(summary.average * 100) / 100,
        distribution: summary.distribution,
      },
      busiest_hours: busiest,
    };
  }

  async csv(query: ReportQuery): Promise<string> {
    return toCsv(await this.report(query));
  }

  /** Recounts the report tables from the whole history (after an import, say). */
  async rebuild(): Promise<{ rebuilt: true }> {
    await this.rollup.rebuild();
    return { rebuilt: true };
  }
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The report as `metric,value` lines: the same numbers as the JSON, one per line. */
export function toCsv(r: SupportReport): string {
  const rows: [string, string | number | null][] = [
    ['from', r.from],
    ['to', r.to],
    ['tz', r.tz],
    ['agent_id', r.agent_id],
    ['conversations_started', r.conversations.started],
    ['conversations_new', r.conversations.new],
    ['conversations_reopened', r.conversations.reopened],
    ['messages_by_user', r.messages.by_user],
    ['messages_by_agent', r.messages.by_agent],
    ['notes', r.messages.notes],
    ['first_response_bursts', r.first_response.bursts],
    ['first_response_answered', r.first_response.answered],
    ['first_response_unanswered', r.first_response.unanswered],
    ['first_response_median_seconds', r.first_response.median_seconds],
    ['first_response_p90_seconds', r.first_response.p90_seconds],
    ['resolved', r.resolution.resolved],
    ['resolution_median_seconds', r.resolution.median_seconds],
    ['resolution_p90_seconds', r.resolution.p90_seconds],
    ['ratings_count', r.ratings.count],
    ['ratings_average', r.ratings.average],
    ...r.ratings.distribution.map((n, i): [string, number] => [`ratings_${i + 1}`, n]),
    ...r.busiest_hours.flatMap((hours, d) => hours.map((n, h): [string, number] => [`user_messages_${DAYS[d]}_${String(h).padStart(2, '0')}`, n])),
  ];
  // Every value is a number, a date, a zone name or a uuid: nothing needs quoting.
  return ['metric,value', ...rows.map(([k, v]) => `${k},${v ?? ''}`)].join('\r\n') + '\r\n';
}

function seconds(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}

/** The range as dates in the zone, checked: real dates, the end not before the start, at most a year. */
function range(query: ReportQuery): { from: string; to: string; tz: string } {
  const tz = query.tz ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new BadRequestException(`tz "${tz}" is not a known time zone`);
  }
  const to = query.to ?? today(tz);
  const toMs = dayMs(to, 'to');
  const from = query.from ?? new Date(toMs - (DEFAULT_REPORT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const fromMs = dayMs(from, 'from');
  if (toMs < fromMs) throw new BadRequestException('to is before from');
  const days = (toMs - fromMs) / DAY_MS + 1;
  if (days > MAX_REPORT_DAYS) throw new BadRequestException(`the range is ${days} days; at most ${MAX_REPORT_DAYS} (one year)`);
  return { from, to, tz };
}

function dayMs(date: string, field: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw new BadRequestException(`${field} is not a date: ${date}`);
  return ms;
}

function today(tz: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
