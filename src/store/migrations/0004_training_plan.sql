-- Schema version 4: the training plan the planner turns into sessions,
-- and the classrooms of each site with their capacity.

ALTER TABLE site ADD COLUMN rooms TEXT;

CREATE TABLE training_plan (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	course TEXT NOT NULL REFERENCES course(code),
	sessions INTEGER NOT NULL,
	window_from TEXT NOT NULL,
	window_to TEXT NOT NULL,
	site TEXT REFERENCES site(code),
	host_unit TEXT REFERENCES organisation(code),
	trainees INTEGER,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
