import { InProcessWsRateLimiter, RateDecision } from './ws-rate-limiter';

/** Sends `count` frames for one user at `perSecond`, from t=0, and returns every decision. */
function run(limiter: InProcessWsRateLimiter, count: number, perSecond: number): RateDecision[] {
  return Array.from({ length: count }, (_, i) => limiter.takeSync('u', 1_000_000 + Math.floor((i * 1000) / perSecond)));
}

describe('InProcessWsRateLimiter: abuse is sustained excess, not a burst', () => {
  const config = { wsMessagesPerSecond: 10, wsMessagesBurst: 20 };

  it('a burst over the bucket is refused (with retry_after_ms) but is not abuse', () => {
    const decisions = run(new InProcessWsRateLimiter({ wsMessagesPerSecond: 1, wsMessagesBurst: 3 }), 8, 1_000_000);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(5);
    expect(refused.every((d) => d.retryAfterMs > 0 && !d.abusive)).toBe(true);
  });

  it('sending at three times the rate becomes abuse after about 2 s; at twice the rate it never does', () => {
    const thrice = run(new InProcessWsRateLimiter(config), 300, 30);
    const first = thrice.findIndex((d) => d.abusive);
    expect(first).toBeGreaterThan(0);
    expect(first / 30).toBeGreaterThanOrEqual(2);
    expect(first / 30).toBeLessThan(4);
    expect(run(new InProcessWsRateLimiter(config), 400, 20).some((d) => d.abusive)).toBe(false);
  });

  it('a flood of more than 10 × (burst + rate) refusals is abuse however fast it came', () => {
    const decisions = run(new InProcessWsRateLimiter(config), 20 + 301, 1_000_000);
    expect(decisions.findIndex((d) => d.abusive)).toBe(20 + 300);
  });
});
