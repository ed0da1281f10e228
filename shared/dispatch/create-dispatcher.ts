import { createCloudTasksDispatcher, type TasksClientLike } from './cloud-tasks-dispatcher.js';
import { createInlineDispatcher, type Dispatcher } from './dispatcher.js';
import type { DispatchSettings } from './settings.js';

/**
 * Builds the dispatcher the settings ask for. The Cloud Tasks client is loaded on the first
 * hand-off, not at cold start (and never in inline mode). With `CLOUD_TASKS_EMULATOR_HOST` the
 * client speaks REST (its HTTP/JSON fallback transport) over plain HTTP to that host without
 * credentials, the convention of `FIRESTORE_EMULATOR_HOST` and `STORAGE_EMULATOR_HOST`;
 * otherwise it uses Application Default Credentials and Google's endpoint.
 * @param settings from `readDispatchSettings`
 */
export function createDispatcher(settings: DispatchSettings): Dispatcher {
  if (settings.DISPATCH === 'inline') return createInlineDispatcher();
  let client: Promise<TasksClientLike> | undefined;
  const lazy: TasksClientLike = {
    async createTask(request) {
      client ??= createTasksClient(settings.CLOUD_TASKS_EMULATOR_HOST);
      return (await client).createTask(request);
    },
  };
  return createCloudTasksDispatcher({
    client: lazy,
    queues: settings.TASK_QUEUES,
    url: settings.RUN_STAGE_URL as string,
    invoker: settings.TASK_INVOKER_ACCOUNT as string,
    dispatchDeadlineSeconds: settings.TASK_DISPATCH_DEADLINE_SECONDS,
  });
}

async function createTasksClient(emulator: string | undefined): Promise<TasksClientLike> {
  const { CloudTasksClient } = await import('@google-cloud/tasks');
  if (!emulator) return new CloudTasksClient() as unknown as TasksClientLike;
  // The auth library of the client's own gax, so that its fetch is the one the client expects.
  const { googleAuthLibrary } = await import('google-gax');
  const at = emulator.lastIndexOf(':');
  return new CloudTasksClient({
    fallback: 'rest',
    apiEndpoint: emulator.slice(0, at),
    port: Number(emulator.slice(at + 1)),
    protocol: 'http',
    // Without an auth client the library looks for default credentials and fails.
    authClient: new googleAuthLibrary.PassThroughClient(),
  } as ConstructorParameters<typeof CloudTasksClient>[0]) as unknown as TasksClientLike;
}
