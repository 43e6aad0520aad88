export const NOTIFY_QUEUE = 'notifications';
export const NOTIFY_JOB = 'unread-reply';

export interface NotifyJobData {
  chatId: string;
}

/**
 * One job per burst: every reply of a burst asks for the same id (chat, first unread reply),
 * so Bull keeps one delayed job however chatty the agent is.
 */
export const burstJobId = (chatId: string, firstMessageId: string): string => `reply:${chatId}:${firstMessageId}`;
