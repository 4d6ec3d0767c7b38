-- Schema version 12: the index of a session's enrolments carries their
-- result and trainee as well, so that what the reports count of a session
-- (passed, assessed, enrolled, distinct trainees) is read from the index
-- alone, without a visit to each enrolment's row. Every lookup by session
-- still has its index: the same first column.
--
-- Measured at scale 1 (1,000,000 enrolments, bench/reports.py): the
-- transition report's counts took 0.20 s on SQLite and 0.56 s on
-- PostgreSQL and take about 0.08 s and 0.17 s; the transfer report's
-- distinct trainees 0.30 s and 0.45 s, about 0.15 s and 0.25 s.

DROP INDEX enrolment_session;
CREATE INDEX enrolment_session ON enrolment(session, result, trainee);
