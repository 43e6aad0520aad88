export const NOTIFY_QUEUE = 'notifications';
export const NOTIFY_JOB = 'unread-reply';

export interface NotifyJobData {
  chatId: string;
}

/**
 * One job per burst: every reply of a burst asks for the same id (chat, first unread reply),
 * so Bull keeps one delayed job however chatty the agent is.
 */
export const burstJobId = (chatId: string, firstMessageId: string): string => `${chatJobIdPrefix(chatId)}${firstMessageId}`;

/** What every job id of one chat starts with, so an erase can find and remove them all. */
export const chatJobIdPrefix = (chatId: string): string => `reply:${chatId}:`;
