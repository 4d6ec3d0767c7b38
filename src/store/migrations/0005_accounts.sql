-- Schema version 5: accounts and tokens of the people who use cadre.
-- Passwords are kept only as Argon2id strings, tokens only as hashes.

CREATE TABLE account (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	nation TEXT REFERENCES nation(code),
	clearance TEXT NOT NULL DEFAULT 'NU',
	password_hash TEXT,
	disabled INTEGER NOT NULL DEFAULT 0,
	created TEXT NOT NULL
);

CREATE TABLE token (
	id INTEGER PRIMARY KEY,
	hash TEXT NOT NULL UNIQUE,
	login TEXT NOT NULL REFERENCES account(login),
	created TEXT NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0
);
