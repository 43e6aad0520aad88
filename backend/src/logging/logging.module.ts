import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfigService } from '../config/app-config.service';
import { REDACT_PATHS, requestId, serializeError, serializeRequest, serializeResponse } from './log-privacy';

/** Probes and scrapes arrive every few seconds; a line each would drown the useful ones. */
const QUIET_PATHS = /^\/(metrics|api\/health)(\/|\?|$)/;

/**
 * One JSON object per line on stdout, each request with an id (also sent back as
 * `X-Request-Id`) that every log line written while serving it carries as `reqId`.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        pinoHttp: [
          {
            level: config.get('logLevel'),
            base: { service: 'support-chat', role: config.get('role'), pid: process.pid },
            timestamp: pino.stdTimeFunctions.isoTime,
            formatters: { level: (label: string) => ({ level: label }) },
            genReqId: requestId,
            quietReqLogger: true,
            serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
          },
          // Synchronous writes: the last lines before an exit (a SIGTERM's goodbye) are not lost.
          pino.destination({ dest: 1, sync: true }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
