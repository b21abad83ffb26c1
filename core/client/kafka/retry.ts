/**
 * kafkajs's retry policy: exponential backoff with jitter, retrying only errors Kafka marks
 * retriable. Defaults are kafkajs's (retries 5, initialRetryTime 300 ms, factor 0.2, multiplier 2,
 * maxRetryTime 30 s).
 */
import { MqlabError } from '../../errors/index.js';
import type { RetryOptions } from './types.js';

export const retryDefaults = {
  maxRetryTime: 30_000,
  initialRetryTime: 300,
  factor: 0.2,
  multiplier: 2,
  retries: 5,
} as const;

export function isRetriable(error: unknown): boolean {
  return error instanceof MqlabError && error.retriable;
}

/** Runs `attempt` until it succeeds, the error is not retriable, or the retries run out. */
export async function withRetry<T>(options: RetryOptions | undefined, attempt: (retryCount: number) => Promise<T>): Promise<T> {
  const o = { ...retryDefaults, ...options };
  let delay = o.initialRetryTime;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (!isRetriable(error) || retry >= o.retries) throw error;
      const jitter = 1 - o.factor + Math.random() * 2 * o.factor;
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay * jitter, o.maxRetryTime)));
      delay = Math.min(delay * o.multiplier, o.maxRetryTime);
    }
  }
}
