-- Schema version 6: what each nation pledged to the mission over time,
-- to set against what it has deployed.

CREATE TABLE pledge (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	nation TEXT NOT NULL REFERENCES nation(code),
	personnel INTEGER NOT NULL,
	note TEXT,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
