import { ProbotOctokit } from 'probot';

interface ThrottledRequest {
  method?: string;
  url?: string;
}

interface Loggable {
  log?: { warn(msg: string): void };
}

/**
 * The Octokit the app runs with. Probot's default installation client does not retry GitHub's
 * secondary rate limits (it only logs them), so reviews would fail under load; here both rate
 * limits are waited out up to twice, and 5xx answers are retried by the retry plugin.
 */
export function productionOctokit(base: typeof ProbotOctokit = ProbotOctokit): typeof ProbotOctokit {
  const onLimit = (kind: string) => (retryAfter: number, options: ThrottledRequest, octokit: Loggable, retryCount: number) => {
    octokit.log?.warn(`${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}; retry ${retryCount + 1} in ${retryAfter}s`);
    return retryCount < 2;
  };
  return base.defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object | undefined), enabled: true, onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    retry: { enabled: true, retries: 3, ...(options.retry as object | undefined) },
  }));
}
