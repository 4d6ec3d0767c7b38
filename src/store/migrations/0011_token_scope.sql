-- Schema version 11: what a token opens. 'api' is everything its account
-- may do, as every token before; 'calendar' only the calendar feeds, read,
-- so that a calendar application can subscribe with a secret in the URL
-- (it cannot send a header) without that secret opening anything else.
-- The values are checked where tokens are made (core/account.c), as the
-- other closed lists of the schema are.

ALTER TABLE token ADD COLUMN scope TEXT NOT NULL DEFAULT 'api';
