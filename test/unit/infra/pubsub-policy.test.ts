import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPolicy, eachResource } from './policy.js';
import {
  firstBlock,
  loadTerraformDir,
  nestedBlocks,
  overlayTerraform,
  type TerraformConfig,
} from './terraform-model.js';

const INFRA = join(import.meta.dirname, '../../../infra');
const FIXTURES = join(import.meta.dirname, '../../fixtures/infra');
const hcl = (expr: string) => `\${${expr}}`;
const RUNTIME = hcl('google_service_account.runtime.email');

describe('infra: completion events and webhooks', () => {
  let config: TerraformConfig;
  beforeAll(async () => {
    config = await loadTerraformDir(INFRA);
  });

  it('lets only the runtime account publish to the completions topic, on the topic alone', () => {
    const onTopic = eachResource(config).filter(
      ([type, , block]) =>
        type === 'google_pubsub_topic_iam_member' &&
        block.topic === hcl('google_pubsub_topic.completions[0].name'),
    );
    expect(onTopic.map(([, , b]) => [b.role, b.member])).toEqual([
      ['roles/pubsub.publisher', `serviceAccount:${RUNTIME}`],
    ]);
    const projectWide = eachResource(config).filter(
      ([type, , block]) =>
        type === 'google_project_iam_member' &&
        block.role === 'roles/pubsub.publisher' &&
        String(block.member).includes('runtime'),
    );
    expect(projectWide).toEqual([]);
  });

  it('passes the topic to the function as COMPLETION_TOPIC', () => {
    const service = firstBlock(config.resources.google_cloudfunctions2_function?.darkroom, 'service_config');
    const env = service?.environment_variables as Record<string, unknown>;
    expect(env.COMPLETION_TOPIC).toBe(
      hcl('var.enable_completion_events ? google_pubsub_topic.completions[0].id : ""'),
    );
  });

  it('gives the example subscription ordering, backoff and a dead-letter topic the service agent may forward to', () => {
    const sub = config.resources.google_pubsub_subscription?.completions_example;
    expect(sub?.enable_message_ordering).toBe(true);
    expect(firstBlock(sub, 'dead_letter_policy')).toEqual({
      dead_letter_topic: hcl('google_pubsub_topic.completions_dead_letter[0].id'),
      max_delivery_attempts: hcl('var.completion_max_delivery_attempts'),
    });
    expect(firstBlock(sub, 'retry_policy')).toEqual({ minimum_backoff: '10s', maximum_backoff: '600s' });
    const agent = `serviceAccount:service-${hcl('data.google_project.this.number')}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    expect(config.resources.google_pubsub_topic_iam_member?.pubsub_agent_dead_letter_publisher?.member).toBe(
      agent,
    );
    expect(
      config.resources.google_pubsub_subscription_iam_member?.pubsub_agent_example_subscriber,
    ).toMatchObject({
      role: 'roles/pubsub.subscriber',
      member: agent,
    });
  });

  it('reads WEBHOOK_SECRET from Secret Manager, never from a plain variable', async () => {
    const service = firstBlock(config.resources.google_cloudfunctions2_function?.darkroom, 'service_config');
    const secrets = nestedBlocks(service, 'secret_environment_variables');
    const webhook = secrets.find(({ block }) => block.key === 'WEBHOOK_SECRET');
    expect(webhook?.forEach).toBe(hcl('google_secret_manager_secret.webhook_secret'));
    expect(config.resources.google_secret_manager_secret_iam_member?.runtime_webhook_secret).toMatchObject({
      role: 'roles/secretmanager.secretAccessor',
      member: `serviceAccount:${RUNTIME}`,
    });
    const bad = await overlayTerraform(config, join(FIXTURES, 'plain-webhook-secret.tf'));
    expect(checkPolicy(bad).map((v) => [v.rule, v.message])).toEqual([
      ['plain-secret', 'WEBHOOK_SECRET is set as a plain variable'],
    ]);
  });

  it('keeps every invariant with webhooks on and the example subscription off', () => {
    expect(
      checkPolicy(config, {
        vars: {
          webhook_url: 'https://hooks.example.com/darkroom',
          webhook_hosts: ['shop.example.com'],
          completion_example_subscription: false,
        },
      }),
    ).toEqual([]);
  });
});
