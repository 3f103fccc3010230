/**
 * Where "who is online" is decided. In-process for one instance; the Redis implementation counts
 * connections over every instance and reaps the users of instances that died without cleaning up.
 */
export abstract class PresenceStore {
  /**
   * A user's first connection on this instance opened.
   * @returns true when the user was not online anywhere and now is (send `user_online`).
   */
  abstract markConnected(userId: string): Promise<boolean>;

  /** A user's last connection on this instance closed (the grace period starts). */
  abstract markDisconnected(userId: string): Promise<void>;

  /**
   * The grace period ended: declares the user offline unless they have a connection anywhere.
   * @returns true when this call took the user offline (send `user_offline`).
   */
  abstract tryMarkOffline(userId: string): Promise<boolean>;

  /** True when another instance holds a connection of the user (always false for one instance). */
  abstract isOnlineElsewhere(userId: string): boolean;

  /** Called with users who went offline because their instance died (multi-instance only). */
  onReaped(_handler: (userId: string) => void): void {}

  /** Records a presence transition announced by any instance (keeps a local cache in step). */
  remember(_userId: string, _online: boolean): void {}
}

/** One instance: presence is this process's own connection table. */
export class InProcessPresenceStore extends PresenceStore {
  private readonly declaredOnline = new Set<string>();

  async markConnected(userId: string): Promise<boolean> {
    if (this.declaredOnline.has(userId)) return false;
    this.declaredOnline.add(userId);
    return true;
  }

  async markDisconnected(): Promise<void> {}

  async tryMarkOffline(userId: string): Promise<boolean> {
    return this.declaredOnline.delete(userId);
  }

  isOnlineElsewhere(): boolean {
    return false;
  }
}
