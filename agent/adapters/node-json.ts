// Reads the fields the agent looks at out of a Node as the API server sends it (JSON), checking
// their types instead of trusting them; anything else in the Node is ignored.
import type { ObservedNode } from '../core/observed-node.ts';

type Condition = NonNullable<NonNullable<ObservedNode['status']>['conditions']>[number];

/** Throws a plain Error saying what is wrong when the JSON is not a Node as expected. */
export function observedNode(json: unknown): ObservedNode {
  if (!isObject(json)) throw new Error('expected a JSON object');
  const metadata = optionalObject(json['metadata'], 'metadata');
  const status = optionalObject(json['status'], 'status');
  const conditions = status?.['conditions'];
  if (conditions !== undefined && conditions !== null && !Array.isArray(conditions)) throw new Error('status.conditions: expected a list');
  return {
    metadata: {
      annotations: stringMap(metadata?.['annotations'], 'metadata.annotations'),
      labels: stringMap(metadata?.['labels'], 'metadata.labels'),
    },
    status: { conditions: Array.isArray(conditions) ? conditions.map((item: unknown, index) => condition(item, `status.conditions[${String(index)}]`)) : undefined },
  };
}

function condition(item: unknown, where: string): Condition {
  if (!isObject(item)) throw new Error(`${where}: expected an object`);
  const { type, status, reason, message } = item;
  if (typeof type !== 'string' || typeof status !== 'string') throw new Error(`${where}: expected string type and status`);
  return { type, status, reason: optionalString(reason, `${where}.reason`), message: optionalString(message, `${where}.message`) };
}

function stringMap(value: unknown, where: string): Readonly<Record<string, string>> | undefined {
  const object = optionalObject(value, where);
  if (object === undefined) return undefined;
  for (const [key, entry] of Object.entries(object)) {
    if (typeof entry !== 'string') throw new Error(`${where}[${JSON.stringify(key)}]: expected a string`);
  }
  return object as Readonly<Record<string, string>>;
}

function optionalObject(value: unknown, where: string): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Error(`${where}: expected an object`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: expected a string`);
  return value;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
