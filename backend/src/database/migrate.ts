import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { loadConfig } from '../config/app-config';
import { runCli } from '../common/cli';
import { prepareDatabase } from './prepare-database';

// JSON lines like the server's, so a container's log collector reads both alike.
Logger.overrideLogger(new ConsoleLogger({ json: true, colors: false }));

/** `npm run migrate`: create the database if needed and apply pending migrations. */
runCli(async (env) => prepareDatabase(loadConfig(env).databaseUrl));
