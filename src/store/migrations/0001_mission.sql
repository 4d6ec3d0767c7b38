-- Schema version 1: the mission's records. Every table has a natural key
-- (unique), a marking (classification, releasability), a provenance
-- (entered, public, synthetic) and, for facts that
-- change over time, a valid-time interval [valid_from, valid_to) of ISO
-- dates where NULL valid_to means "still in force".

CREATE TABLE nation (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	member_since TEXT,
	partner_since TEXT,
	partner_until TEXT,
	partner_kind TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE organisation (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	parent TEXT REFERENCES organisation(code),
	nation TEXT REFERENCES nation(code),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE site (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	latitude REAL NOT NULL,
	longitude REAL NOT NULL,
	country TEXT NOT NULL REFERENCES nation(code),
	region TEXT,
	role TEXT,
	mission_approved INTEGER NOT NULL DEFAULT 1,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE post (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	branch TEXT NOT NULL,
	category TEXT NOT NULL,
	function TEXT NOT NULL,
	rank_band TEXT,
	qualifications TEXT,
	site TEXT NOT NULL REFERENCES site(code),
	organisation TEXT NOT NULL REFERENCES organisation(code),
	nation TEXT REFERENCES nation(code),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE person (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	nation TEXT NOT NULL REFERENCES nation(code),
	category TEXT NOT NULL,
	rank TEXT,
	clearance TEXT NOT NULL DEFAULT 'NU',
	qualifications TEXT,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
CREATE INDEX person_nation ON person(nation);

CREATE TABLE assignment (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	person TEXT NOT NULL REFERENCES person(code),
	post TEXT NOT NULL REFERENCES post(number),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
CREATE INDEX assignment_person ON assignment(person);
CREATE INDEX assignment_post ON assignment(post);

CREATE TABLE caveat (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	nation TEXT REFERENCES nation(code),
	person TEXT REFERENCES person(code),
	kind TEXT NOT NULL,
	target TEXT NOT NULL,
	reason TEXT,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE activity (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	kind TEXT NOT NULL,
	host TEXT REFERENCES organisation(code),
	owner TEXT NOT NULL REFERENCES organisation(code),
	previous_owner TEXT REFERENCES organisation(code),
	owner_from TEXT,
	site TEXT REFERENCES site(code),
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE course (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	activity TEXT NOT NULL REFERENCES activity(code),
	duration_days INTEGER NOT NULL,
	capacity INTEGER NOT NULL,
	trainer_qualifications TEXT,
	trainer_ratio INTEGER NOT NULL DEFAULT 12,
	competencies TEXT,
	transition_sessions INTEGER NOT NULL DEFAULT 3,
	pass_target REAL NOT NULL DEFAULT 0.8,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE session (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	course TEXT NOT NULL REFERENCES course(code),
	site TEXT NOT NULL REFERENCES site(code),
	room TEXT,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	trainers TEXT,
	lead TEXT NOT NULL DEFAULT 'mission',
	lead_instructor TEXT,
	host_unit TEXT REFERENCES organisation(code),
	status TEXT NOT NULL DEFAULT 'planned',
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
CREATE INDEX session_course ON session(course);
CREATE INDEX session_site ON session(site, valid_from);

CREATE TABLE trainee (
	id INTEGER PRIMARY KEY,
	service_number TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	nation TEXT NOT NULL REFERENCES nation(code),
	unit TEXT NOT NULL REFERENCES organisation(code),
	rank TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE enrolment (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	session TEXT NOT NULL REFERENCES session(key),
	trainee TEXT NOT NULL REFERENCES trainee(service_number),
	attendance TEXT NOT NULL DEFAULT 'enrolled',
	result TEXT NOT NULL DEFAULT 'pending',
	certificate TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);
CREATE INDEX enrolment_session ON enrolment(session);
CREATE INDEX enrolment_trainee ON enrolment(trainee);

CREATE TABLE assessment (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	organisation TEXT NOT NULL REFERENCES organisation(code),
	competency TEXT NOT NULL,
	assessed_on TEXT NOT NULL,
	level INTEGER NOT NULL,
	target INTEGER,
	assessor TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE consent (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	activity_kinds TEXT NOT NULL,
	sites TEXT,
	institutions TEXT,
	ceiling INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'granted',
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

CREATE TABLE status_event (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	action TEXT NOT NULL,
	scope TEXT NOT NULL,
	reason TEXT NOT NULL,
	ordered_by TEXT,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	classification TEXT NOT NULL DEFAULT 'NU',
	releasability TEXT NOT NULL DEFAULT 'MISSION',
	provenance TEXT NOT NULL DEFAULT 'entered'
);

-- The audit log: append-only, one entry per change, hash-chained.
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	key TEXT NOT NULL,
	before TEXT,
	after TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
