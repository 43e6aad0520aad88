import type { Queue } from 'bull';
import { ChatEvents } from '../common/chat-events';
import type { AppConfigService } from '../config/app-config.service';
import type { NotifyJobData } from './notification-queue';
import { NotifyScheduler } from './notify-scheduler.service';
import type { ReplyNotifier } from './reply-notifier.service';

type Due = { chatId: string; firstMessageId: string }[];

function setup() {
  const answers: ((due: Due) => void)[] = [];
  const dueChats = jest.fn(() => new Promise<Due>((resolve) => answers.push(resolve)));
  const add = jest.fn(() => Promise.resolve());
  const config = { get: () => 1 } as unknown as AppConfigService;
  const scheduler = new NotifyScheduler(
    { add } as unknown as Queue<NotifyJobData>,
    { dueChats } as unknown as ReplyNotifier,
    new ChatEvents(),
    config,
  );
  return { scheduler, dueChats, add, answers };
}

describe('NotifyScheduler.sweep', () => {
  it('runs one sweep at a time: one asked for while another runs joins it', async () => {
    const { scheduler, dueChats, add, answers } = setup();
    const first = scheduler.sweep();
    const overlapping = scheduler.sweep();
    expect(dueChats).toHaveBeenCalledTimes(1);

    answers[0]([{ chatId: 'c1', firstMessageId: 'm1' }]);
    await expect(Promise.all([first, overlapping])).resolves.toEqual([1, 1]);
    expect(add).toHaveBeenCalledTimes(1);

    // Positive control: once it has finished, the next sweep runs.
    const next = scheduler.sweep();
    expect(dueChats).toHaveBeenCalledTimes(2);
    answers[1]([]);
    await expect(next).resolves.toBe(0);
  });

  it('lets the next sweep run after one failed', async () => {
    const { scheduler, dueChats } = setup();
    dueChats.mockImplementationOnce(() => Promise.reject(new Error('connection terminated')));
    await expect(scheduler.sweep()).resolves.toBe(0);
    dueChats.mockImplementationOnce(() => Promise.resolve([]));
    await expect(scheduler.sweep()).resolves.toBe(0);
    expect(dueChats).toHaveBeenCalledTimes(2);
  });
});
