import { BadRequestException, ConsoleLogger, Logger, RequestMethod, ValidationPipe, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { prepareDatabase } from './database/prepare-database';
import { SupportIoAdapter } from './gateway/socket-io.adapter';
import { apiCompression } from './web/api-compression';
import { jsonBodyReviver } from './web/json-body';
import { securityHeaders } from './web/security-headers';
import { mountStaticAssets } from './web/static-assets';

export const MAX_BODY = '64kb';

/**
 * Builds the whole server (migrated database, API, socket, static assets) the same way for
 * `npm start` and for the e2e tests.
 */
export async function createApp(config: AppConfig, logger?: LoggerService | false): Promise<NestExpressApplication> {
  // Without a logger of the caller's, every line is JSON: Nest's own until pino takes over.
  const json = logger === undefined;
  if (json) Logger.overrideLogger(new ConsoleLogger({ json: true, colors: false }));
  await prepareDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(logger === false ? { ...config, logLevel: 'silent' } : config),
    { bodyParser: false, bufferLogs: json, logger: json ? new Logger() : logger },
  );
  if (json) app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use('/api', apiCompression());
  app.useBodyParser('json', { limit: MAX_BODY, reviver: jsonBodyReviver });
  app.useBodyParser('urlencoded', { limit: MAX_BODY, extended: false });
  app.setGlobalPrefix('api', { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
  app.enableCors({
    origin: config.allowedOrigins === '*' ? true : config.allowedOrigins,
    methods: ['GET', 'POST', 'PATCH', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new BadRequestException(errors.flatMap((e) => Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }))),
    }),
  );
  app.useWebSocketAdapter(new SupportIoAdapter(app, config));
  if (config.role !== 'worker') mountStaticAssets(app, config);

  const openApi = new DocumentBuilder()
    .setTitle('Support Chat API')
    .setDescription('REST side of the live-support chat; the socket side is described in the README.')
    .addBearerAuth()
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (sck_…) for /api/server/' }, 'api-key')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
