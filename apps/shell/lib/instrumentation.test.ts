import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../instrumentation';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the Shell's settings are checked when its server starts", () => {
  it('stops with one line naming each bad variable', async () => {
    vi.stubEnv('NEXT_RUNTIME', 'nodejs');
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('OIDC_ISSUER', '');
    vi.stubEnv('OIDC_CLIENT_SECRET', '');
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await register();
    expect(exit).toHaveBeenCalledWith(1);
    expect(error).toHaveBeenCalledTimes(1);
    const line = String(error.mock.calls[0]![0]);
    expect(line).toMatch(
      /^The Shell cannot start\. Invalid Shell settings: OIDC_ISSUER .*OIDC_CLIENT_SECRET /,
    );
    expect(line).not.toContain('\n');
  });

  it('starts with good settings, and a build checks nothing', async () => {
    vi.stubEnv('NEXT_RUNTIME', 'nodejs');
    vi.stubEnv('NODE_ENV', 'development');
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    await register();
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('OIDC_ISSUER', '');
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    await register();
    expect(exit).not.toHaveBeenCalled();
  });
});
