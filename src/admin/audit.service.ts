import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Who performed an administrative action: `cli:<os user>` or `user:<id>`. */
export type AuditActor = string;

/** One row of the audit log. */
export interface AuditRow {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  at: Date;
}

/** The audit log: one row per administrative action, from the API or the CLI. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends a row (in the caller's transaction when given, so it commits with the action). */
  async record(actor: AuditActor, action: string, target: string | null, details: Record<string, unknown> = {}, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(`INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)`, [
      actor,
      action,
      target,
      JSON.stringify(details),
    ]);
  }

  /** The newest rows first; `beforeId` pages further back. */
  async list(limit: number, beforeId?: string): Promise<AuditRow[]> {
    return (await this.dataSource.query(
      `SELECT id::text, actor, action, target, details, at FROM audit_log WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    )) as AuditRow[];
  }
}
