import type { Client } from '@temporalio/client';

export type QueueKind = 'workflow' | 'activity';

/** A task queue and the kind of task a worker must poll it for (workflows only run on the cpu queue). */
export interface QueueNeed {
  queue: string;
  kind: QueueKind;
  /** The `shelfssl worker` flags that start a poller for it. */
  start: string;
}

/** Temporal's TaskQueueType values (TASK_QUEUE_TYPE_WORKFLOW, _ACTIVITY); @temporalio/proto is not our dependency. */
const TYPES = { workflow: 1, activity: 2 } as const;

/** Whether any worker polled the queue recently (Temporal's DescribeTaskQueue pollers). */
export async function hasPollers(client: Client, queue: string, kind: QueueKind): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: queue },
    taskQueueType: TYPES[kind],
  });
  return (res.pollers ?? []).length > 0;
}

/** What a run on these queues needs polled: workflows and cpu stages on cpu, gpu stages on gpu. */
export function runQueueNeeds(queues: { cpu: string; gpu: string }, withGpu = true): QueueNeed[] {
  return [
    { queue: queues.cpu, kind: 'workflow', start: 'shelfssl worker --queue cpu' },
    { queue: queues.cpu, kind: 'activity', start: 'shelfssl worker --queue cpu' },
    ...(withGpu
      ? [{ queue: queues.gpu, kind: 'activity' as const, start: 'shelfssl worker --queue gpu' }]
      : []),
  ];
}

/**
 * One line per queue nobody polls: `waiting for a worker on queue shelfssl-gpu (none polling): start
 * \`shelfssl worker --queue gpu\``. Empty when every queue has a worker. A failing describe says nothing:
 * this is advice, never a reason to fail the command.
 */
export async function idleQueueLines(client: Client, needs: readonly QueueNeed[]): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const need of needs) {
    const polled = await hasPollers(client, need.queue, need.kind).catch(() => true);
    const line = `waiting for a worker on queue ${need.queue} (none polling ${need.kind} tasks): start \`${need.start}\``;
    if (!polled && !seen.has(need.queue)) {
      seen.add(need.queue);
      lines.push(line);
    }
  }
  return lines;
}
