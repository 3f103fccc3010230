/**
 * Piscina worker: bcrypt work off the main thread. Synchronous bcryptjs is fine (and fastest) here,
 * because blocking this thread blocks no request. Keep this file free of Nest imports: every worker
 * thread loads it.
 */
import * as bcrypt from 'bcryptjs';

/** One job for the pool. */
export type PasswordHashTask = { op: 'hash'; password: string; cost: number } | { op: 'compare'; password: string; hash: string };

/** Runs one job: a new hash (string) or whether the password matches the hash (boolean). */
export default function run(task: PasswordHashTask): string | boolean {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
