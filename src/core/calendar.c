/* Sessions as iCalendar; see calendar.h. */
#include "core/calendar.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kind.h"

static const char sessions_sql[] =
	"SELECT s.key, s.valid_from, s.valid_to, s.status, c.title, s.site,"
	" si.name AS site_name, coalesce(s.room, '') AS room,"
	" coalesce(s.trainers, '') AS trainers, s.lead,"
	" coalesce(s.lead_instructor, '') AS lead_instructor"
	" FROM session s JOIN course c ON c.code = s.course"
	" JOIN site si ON si.code = s.site"
	" WHERE s.status <> 'cancelled' AND ((?1 = 'site' AND s.site = ?2)"
	" OR (?1 = 'person' AND instr(';' || s.trainers || ';', ';' || ?2 || ';')))"
	" ORDER BY s.valid_from, s.key";

static struct icaltimetype day_of(const char *iso)
{
	struct icaltimetype t = icaltime_null_date();

	t.year = (int)strtol(iso, NULL, 10);
	t.month = (int)strtol(iso + 5, NULL, 10);
	t.day = (int)strtol(iso + 8, NULL, 10);
	t.is_date = 1;
	return t;
}

static const char *js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

int calendar_ics(struct store *s, const char *what, const char *key,
		 char **out, struct error *e)
{
	const char *p[2] = { what, key };
	const struct kind *k = kind_find(!strcmp(what, "site") ? "sites" : "persons");
	icalcomponent *cal;
	json_t *rows, *row;
	size_t i;
	int rc;

	*out = NULL;
	rc = store_exists(s, k, key, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return error_set(e, ERR_NOTFOUND, "no %s '%s'", k->label, key);
	if (store_rows(s, sessions_sql, p, 2, &rows, e))
		return -1;
	cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
				  icalproperty_new_version("2.0"),
				  icalproperty_new_prodid("-//cadre//sessions//EN"),
				  (void *)0);
	icalcomponent_add_property(cal, icalproperty_new_x("cadre sessions"));
	icalproperty_set_x_name(icalcomponent_get_first_property(cal,
		ICAL_X_PROPERTY), "X-WR-CALNAME");
	json_array_foreach(rows, i, row) {
		char uid[160], where[256], desc[1024];
		icalcomponent *ev;

		snprintf(uid, sizeof(uid), "%s@cadre", js(row, "key"));
		snprintf(where, sizeof(where), "%s%s%s", js(row, "site_name"),
			 *js(row, "room") ? ", " : "", js(row, "room"));
		snprintf(desc, sizeof(desc), "Session %s (%s). Trainers: %s. "
			 "Lead: %s%s%s.", js(row, "key"), js(row, "status"),
			 *js(row, "trainers") ? js(row, "trainers") : "none",
			 js(row, "lead"), *js(row, "lead_instructor") ? ", " : "",
			 js(row, "lead_instructor"));
		ev = icalcomponent_vanew(ICAL_VEVENT_COMPONENT,
			icalproperty_new_uid(uid),
			icalproperty_new_dtstart(day_of(js(row, "valid_from"))),
			icalproperty_new_dtend(day_of(js(row, "valid_to"))),
			icalproperty_new_summary(js(row, "title")),
			icalproperty_new_location(where),
			icalproperty_new_description(desc),
			icalproperty_new_status(!strcmp(js(row, "status"), "postponed") ?
				ICAL_STATUS_TENTATIVE : ICAL_STATUS_CONFIRMED),
			(void *)0);
		icalcomponent_add_component(cal, ev);
	}
	json_decref(rows);
	*out = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return *out ? 0 : error_set(e, ERR_NOMEM, "out of memory");
}
