import { BadRequestException, Logger, ValidationPipe, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { prepareDatabase } from './database/prepare-database';
import { SupportIoAdapter } from './gateway/socket-io.adapter';
import { mountStaticAssets } from './web/static-assets';

export const MAX_BODY = '64kb';

/**
 * Builds the whole server (migrated database, API, socket, static assets) the same way for
 * `npm start` and for the e2e tests.
 */
export async function createApp(config: AppConfig, logger?: LoggerService | false): Promise<NestExpressApplication> {
  await prepareDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: logger === undefined ? new Logger() : logger,
  });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useBodyParser('urlencoded', { limit: MAX_BODY, extended: false });
  app.setGlobalPrefix('api');
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
  app.enableShutdownHooks();
  mountStaticAssets(app, config);

  const openApi = new DocumentBuilder()
    .setTitle('Support Chat API')
    .setDescription('REST side of the live-support chat; the socket side is described in the README.')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
