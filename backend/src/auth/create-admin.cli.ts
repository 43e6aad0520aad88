import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { runCli } from '../common/cli';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { prepareDatabase } from '../database/prepare-database';
import { Admin } from './admin.entity';
import { hashPassword } from './password';

/** `npm run admin:create -- --email a@b.c --password … [--name …] [--role admin|agent]`: adds a console account. */
runCli(async (env, argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  const email = values.email?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error('usage: npm run admin:create -- --email <email> --password <password> [--name <name>] [--role admin|agent]');
  if (!values.password || values.password.length < 12) throw new Error('--password must be at least 12 characters');
  const role = values.role ?? 'agent';
  if (role !== 'admin' && role !== 'agent') throw new Error('--role must be admin or agent');
  const config = loadConfig(env);
  await prepareDatabase(config.databaseUrl);
  const db = new DataSource(dataSourceOptions(config.databaseUrl));
  await db.initialize();
  try {
    const result = await db
      .createQueryBuilder()
      .insert()
      .into(Admin)
      .values({ email, passwordHash: await hashPassword(values.password), name: values.name ?? null, role })
      .orIgnore()
      .returning(['id'])
      .execute();
    if (!result.raw.length) throw new Error(`an agent with the email ${email} already exists`);
    console.log(`Created agent ${email}`);
  } finally {
    await db.destroy();
  }
});
