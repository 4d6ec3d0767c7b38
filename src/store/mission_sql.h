/*
 * SQL fragments the store's queries share about the mission's shape.
 * Text for SQL only: kept in the store, as every statement is.
 */
#ifndef CADRE_STORE_MISSION_SQL_H
#define CADRE_STORE_MISSION_SQL_H

/* The last day of an open interval, as the queries write it. */
#ifndef OPEN_END
#define OPEN_END "9999-12-31"
#endif

/* A common table `mission(code)` of the mission's organisations. */
#define SQL_MISSION_CTE \
	"WITH RECURSIVE mission(code) AS (" \
	" SELECT code FROM organisation WHERE kind = 'mission'" \
	" UNION SELECT o.code FROM organisation o JOIN mission m" \
	" ON o.parent = m.code) "

/* Session s, of an activity a, is the mission's on the day it starts
 * (the coalition's before a transfer is not). Needs SQL_MISSION_CTE. */
#define SQL_SESSION_OF_MISSION \
	" (CASE WHEN a.previous_owner IS NOT NULL AND s.valid_from < a.owner_from" \
	" THEN a.previous_owner ELSE a.owner END) IN (SELECT code FROM mission) "

#endif
