-- Calendar schedules and blackout ranges. Rows are retired (removed_at) rather than deleted,
-- so windows and audit entries that refer to them keep their meaning.
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 64),
  spec_text TEXT NOT NULL CHECK (length(spec_text) > 0),
  canonical TEXT NOT NULL CHECK (length(canonical) > 0),
  approval TEXT NOT NULL CHECK (approval IN ('required', 'pre-approved')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  removed_by TEXT,
  removed_at TEXT
);

CREATE UNIQUE INDEX schedules_active_name ON schedules (name) WHERE removed_at IS NULL AND name IS NOT NULL;

CREATE TABLE skips (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_date TEXT NOT NULL CHECK (from_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  to_date TEXT NOT NULL CHECK (to_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  zone TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  removed_by TEXT,
  removed_at TEXT,
  CHECK (from_date <= to_date)
);
