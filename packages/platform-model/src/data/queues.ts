import type { Queue } from '../schema';

/** Queues of the service catalog; each gets a dead-letter queue. */
export const queues: Queue[] = [
  { name: 'orders', maxReceiveCount: 3, visibilityTimeoutSeconds: 60, dlqRetentionDays: 14, maxMessageAgeSeconds: 600 },
];
