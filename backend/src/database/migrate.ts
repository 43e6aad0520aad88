import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { runCli } from '../common/cli';
import { prepareDatabase } from './prepare-database';

/** `npm run migrate`: create the database if needed and apply pending migrations. */
runCli(async (env) => prepareDatabase(loadConfig(env).databaseUrl));
