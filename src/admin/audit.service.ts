import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AdminRepository, AuditRow } from './admin.repository';

/** Who performed an administrative action: `cli:<os user>` or `user:<id>`. */
export type AuditActor = string;

export type { AuditRow } from './admin.repository';

/** The audit log: one row per administrative action, from the API or the CLI. */
@Injectable()
export class AuditService {
  constructor(private readonly admins: AdminRepository) {}

  /** Appends a row (in the caller's transaction when given, so it commits with the action). */
  async record(actor: AuditActor, action: string, target: string | null, details: Record<string, unknown> = {}, manager?: EntityManager): Promise<void> {
    await this.admins.insertAudit(manager, actor, action, target, details);
  }

  /** The newest rows first; `beforeId` pages further back. */
  async list(limit: number, beforeId?: string): Promise<AuditRow[]> {
    return this.admins.auditPage(limit, beforeId);
  }
}
