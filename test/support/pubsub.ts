/**
 * A topic and an ordered subscription on Google's Pub/Sub emulator (`PUBSUB_EMULATOR_HOST`,
 * started by `.ci/run`), in a project of their own, and a synchronous drain of what was
 * published: after the function under test has answered, every message it published has
 * been accepted by the emulator, so pulling until the emulator returns nothing sees them all.
 */
import { randomUUID } from 'node:crypto';
import { PubSub, v1 } from '@google-cloud/pubsub';

/** A message as a consumer receives it. */
export interface ReceivedMessage {
  attributes: Record<string, string>;
  data: Record<string, unknown>;
  orderingKey: string;
  messageId: string;
}

/** A test topic with one subscription. */
export interface TestTopic {
  /** Full topic name, for `COMPLETION_TOPIC`. */
  topic: string;
  pubsub: PubSub;
  /** Deletes the topic (publishing then fails with NOT_FOUND). */
  remove(): Promise<void>;
  /** Creates the topic (again) with a fresh subscription. */
  create(): Promise<void>;
  /** Pulls and acknowledges every message available now. */
  drain(): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/** @returns whether Google's Pub/Sub emulator is configured for this run */
export const hasPubSubEmulator = (): boolean => !!process.env.PUBSUB_EMULATOR_HOST;

/** Creates a topic and an ordered subscription on the emulator. */
export async function testTopic(): Promise<TestTopic> {
  const projectId = `demo-events-${randomUUID().slice(0, 8)}`;
  const pubsub = new PubSub({ projectId });
  const id = 'darkroom-completions';
  let subscription = '';
  let round = 0;
  const create = async () => {
    const [topic] = await pubsub.createTopic(id);
    round += 1;
    const [sub] = await topic.createSubscription(`consumer-${round}`, { enableMessageOrdering: true });
    subscription = sub.name;
  };
  await create();
  await pubsub.getClientConfig();
  const { port, ...rest } = pubsub.options;
  const client = new v1.SubscriberClient({ ...rest, port: port === undefined ? undefined : Number(port) });
  return {
    topic: `projects/${projectId}/topics/${id}`,
    pubsub,
    create,
    remove: async () => {
      await pubsub.topic(id).delete();
    },
    async drain() {
      const out: ReceivedMessage[] = [];
      for (;;) {
        const [res] = await client.pull({ subscription, maxMessages: 100, returnImmediately: true });
        const got = res.receivedMessages ?? [];
        if (got.length === 0) return out;
        for (const m of got) {
          out.push({
            attributes: { ...(m.message?.attributes ?? {}) },
            data: JSON.parse(Buffer.from(m.message?.data ?? '').toString('utf8')),
            orderingKey: m.message?.orderingKey ?? '',
            messageId: m.message?.messageId ?? '',
          });
        }
        await client.acknowledge({ subscription, ackIds: got.map((m) => m.ackId ?? '') });
      }
    },
    async close() {
      await client.close();
      await pubsub.close();
    },
  };
}
