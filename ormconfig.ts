import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { typeormOptions } from './src/database/typeorm-options';

/**
 * The DataSource the TypeORM CLI uses (`typeorm migration:revert -d dist/ormconfig.js`). It needs
 * DATABASE_URL; `npm run migration:run` also works against the embedded database without it.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL must be set to use the TypeORM CLI directly; `npm run migration:run` works without it.');
}
export default new DataSource(typeormOptions(url));
