-- Maintenance windows, per-node progress inside them, and the chat outbox with the platform
-- references of the messages it posted.
CREATE TABLE windows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL CHECK (origin IN ('on-demand', 'schedule')),
  schedule_id INTEGER REFERENCES schedules (id),
  schedule_name TEXT,
  state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'expired', 'scheduled', 'opening', 'open', 'closing', 'closed', 'cancelled', 'failed')),
  start_at TEXT NOT NULL,
  end_at TEXT NOT NULL,
  zone TEXT NOT NULL,
  concurrency INTEGER NOT NULL CHECK (concurrency >= 1),
  node_selector TEXT,
  reason TEXT NOT NULL DEFAULT '',
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  approval_required INTEGER NOT NULL CHECK (approval_required IN (0, 1)),
  approval_expires_at TEXT,
  decided_by TEXT,
  decided_at TEXT,
  paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  opened_at TEXT,
  closed_at TEXT,
  close_reason TEXT CHECK (close_reason IS NULL OR close_reason IN ('ended', 'completed', 'closed-early')),
  note TEXT,
  CHECK (start_at < end_at),
  CHECK ((origin = 'schedule') = (schedule_id IS NOT NULL))
);

CREATE INDEX windows_by_state ON windows (state, start_at);
CREATE UNIQUE INDEX windows_one_per_schedule_start ON windows (schedule_id, start_at) WHERE schedule_id IS NOT NULL;

CREATE TABLE window_nodes (
  window_id INTEGER NOT NULL REFERENCES windows (id),
  node TEXT NOT NULL,
  state TEXT NOT NULL,
  boot_id_before TEXT NOT NULL,
  pods_left INTEGER,
  blocked_by TEXT,
  started_at TEXT,
  reboot_at TEXT,
  done_at TEXT,
  PRIMARY KEY (window_id, node)
);

CREATE INDEX window_nodes_done ON window_nodes (done_at) WHERE done_at IS NOT NULL;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('post', 'update', 'reply')),
  message_key TEXT NOT NULL,
  message TEXT NOT NULL CHECK (json_valid(message)),
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before TEXT,
  last_error TEXT,
  delivered_at TEXT,
  abandoned_at TEXT
);

CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL AND abandoned_at IS NULL;

CREATE TABLE message_refs (
  message_key TEXT PRIMARY KEY,
  platform_ref TEXT NOT NULL,
  created_at TEXT NOT NULL
);
