// The fields of an activity that botbuilder and the turn handler read without checking them, in
// the types the Bot Framework schema gives them. An activity Teams would never send (a conversation
// id that is not a string, no recipient, a mention without its user, members that are not a list)
// is refused with one line instead of failing inside the turn.

/** Why `value` is not an activity the bot can handle, or undefined when it is one. */
export function activityShapeError(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected an activity (a JSON object with a type)';
  if (typeof value['type'] !== 'string') return 'expected an activity (a JSON object with a type)';
  for (const field of ['id', 'channelId', 'serviceUrl', 'text', 'name', 'replyToId'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') return `the activity's ${field} must be a string`;
  }
  const conversation = value['conversation'];
  if (!isRecord(conversation) || typeof conversation['id'] !== 'string') return 'the activity needs a conversation with an id';
  if (conversation['tenantId'] !== undefined && typeof conversation['tenantId'] !== 'string') return "the conversation's tenantId must be a string";
  if (conversation['conversationType'] !== undefined && typeof conversation['conversationType'] !== 'string') return "the conversation's conversationType must be a string";
  const recipient = value['recipient'];
  if (!isRecord(recipient) || typeof recipient['id'] !== 'string') return 'the activity needs a recipient with an id';
  const from = value['from'];
  if (!isRecord(from)) return 'the activity needs a sender (from)';
  for (const field of ['id', 'name', 'aadObjectId'] as const) {
    if (from[field] !== undefined && typeof from[field] !== 'string') return `the sender's ${field} must be a string`;
  }
  const entities = value['entities'];
  if (entities !== undefined) {
    if (!Array.isArray(entities)) return "the activity's entities must be a list";
    for (const entity of entities as unknown[]) {
      if (!isRecord(entity) || typeof entity['type'] !== 'string') return 'every entity needs a type';
      const mentioned = entity['mentioned'];
      if (entity['type'].toLowerCase() === 'mention' && (!isRecord(mentioned) || typeof mentioned['id'] !== 'string')) return 'a mention needs the mentioned id';
    }
  }
  for (const field of ['membersAdded', 'membersRemoved'] as const) {
    const members = value[field];
    if (members !== undefined && !(Array.isArray(members) && (members as unknown[]).every(isRecord))) return `the activity's ${field} must be a list of accounts`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
