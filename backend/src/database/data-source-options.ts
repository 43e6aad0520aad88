import type { DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

/** `poolSize`: connections this process keeps; a CLI that runs a few statements needs few. */
export function dataSourceOptions(databaseUrl: string, poolSize = 4): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    extra: { max: poolSize },
  };
}
