-- Where a chat platform posts when the configuration does not say: the conversation it was
-- bound to (Teams: the channel the app was added to, or where someone said `bind`), with the
-- platform's reference to reach it again (JSON, opaque to storage). One row per platform.
CREATE TABLE chat_bindings (
  platform TEXT PRIMARY KEY CHECK (platform <> ''),
  conversation_id TEXT NOT NULL CHECK (conversation_id <> ''),
  reference TEXT NOT NULL CHECK (json_valid(reference)),
  bound_by TEXT NOT NULL,
  bound_at TEXT NOT NULL
);
