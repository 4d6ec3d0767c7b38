-- Schema version 12 in PostgreSQL's dialect (../0012_enrolment_counts.sql):
-- the same statements. PostgreSQL reads a count from the index alone only
-- where the table's visibility map says its pages are all visible, which
-- VACUUM keeps (autovacuum, and cadre copy as it ends).

DROP INDEX enrolment_session;
CREATE INDEX enrolment_session ON enrolment(session, result, trainee);
