import { InitialSchema1764115200000 } from './1764115200000-initial-schema';
import { EmailNotifications1764201600000 } from './1764201600000-email-notifications';
import { HotPathFunctions1796083200000 } from './1796083200000-hot-path-functions';
import { AgentsAsPeople1796169600000 } from './1796169600000-agents-as-people';
import { Assignment1796256000000 } from './1796256000000-assignment';
import { Labels1796342400000 } from './1796342400000-labels';
import { CannedReplies1796428800000 } from './1796428800000-canned-replies';
import { PrivateNotes1796515200000 } from './1796515200000-private-notes';
import { Search1796601600000 } from './1796601600000-search';
import { Ratings1796688000000 } from './1796688000000-ratings';
import { ReportRollups1796688060000 } from './1796688060000-report-rollups';
import { ReportEnds1796688120000 } from './1796688120000-report-ends';
import { Webhooks1796774400000 } from './1796774400000-webhooks';
import { Privacy1796860800000 } from './1796860800000-privacy';
import { ChatVersion1796947200000 } from './1796947200000-chat-version';

/** Listed by hand, in order: TypeORM 1 globs are fragile across the compiled and test trees. */
export const migrations = [
  InitialSchema1764115200000, EmailNotifications1764201600000, HotPathFunctions1796083200000,
  AgentsAsPeople1796169600000,
  Assignment1796256000000,
  Labels1796342400000,
  CannedReplies1796428800000,
  PrivateNotes1796515200000,
  Search1796601600000,
  Ratings1796688000000,
  ReportRollups1796688060000,
  ReportEnds1796688120000,
  Webhooks1796774400000,
  Privacy1796860800000,
  ChatVersion1796947200000,
];
