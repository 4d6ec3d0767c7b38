-- Schema version 11 in PostgreSQL's dialect (../0011_token_scope.sql): the
-- same statement. What a token opens: 'api' is everything its account may
-- do, as every token before; 'calendar' only the calendar feeds, read.

ALTER TABLE token ADD COLUMN scope TEXT NOT NULL DEFAULT 'api';
