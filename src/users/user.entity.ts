/**
 * The old name of {@link User}, kept only so that branches written before users left TypeORM's
 * entities still compile. New code imports `User` from './user.types'.
 */
export type { User as UserEntity } from './user.types';
