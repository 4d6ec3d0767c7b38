/* Sessions as iCalendar; see calendar.h. */
#include "core/calendar.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "model/kind.h"
#include "store/calendar.h"
#include "util/buf.h"

static struct icaltimetype day_of(const char *iso)
{
	struct icaltimetype t = icaltime_null_date();

	t.year = (int)strtol(iso, NULL, 10);
	t.month = (int)strtol(iso + 5, NULL, 10);
	t.day = (int)strtol(iso + 8, NULL, 10);
	t.is_date = 1;
	return t;
}

/* When the session was last written, as DTSTAMP wants it (UTC); now
 * when the store does not say (no audit entry: never written since the
 * audit began). */
static struct icaltimetype stamp_of(const char *changed)
{
	char basic[17];
	size_t o = 0;

	for (const char *p = changed; *p && o < sizeof(basic) - 1; p++)
		if (*p != '-' && *p != ':')
			basic[o++] = *p;
	basic[o] = '\0';
	if (o == 16 && basic[8] == 'T' && basic[15] == 'Z')
		return icaltime_from_string(basic);
	return icaltime_current_time_with_zone(icaltimezone_get_utc_timezone());
}

static int add_event(void *arg, const struct calendar_session *r)
{
	icalcomponent *cal = arg, *ev;
	/* Whole, never cut: a cut could split a UTF-8 character. */
	struct buf uid = BUF_INIT, where = BUF_INIT, desc = BUF_INIT;
	enum icalproperty_status status = !strcmp(r->status, "cancelled") ?
		ICAL_STATUS_CANCELLED : !strcmp(r->status, "postponed") ?
		ICAL_STATUS_TENTATIVE : ICAL_STATUS_CONFIRMED;
	int rc = 0;

	/* The UID is the session's key, which never changes (a re-dated
	 * session is a new session that names the one it replaces), so a
	 * calendar keeps one event per session across every fetch. */
	buf_addf(&uid, "%s@cadre", r->key);
	buf_addf(&where, "%s%s%s", r->site_name, *r->room ? ", " : "", r->room);
	buf_addf(&desc, "Session %s (%s). Trainers: %s. Lead nation: %s.", r->key,
		 r->status, *r->trainer_names ? r->trainer_names : "none",
		 *r->lead ? r->lead : "none");
	if (*r->lead_instructor_name)
		buf_addf(&desc, " Lead instructor: %s.", r->lead_instructor_name);
	if (uid.failed || where.failed || desc.failed) {
		rc = -1;
		goto out;
	}
	ev = icalcomponent_vanew(ICAL_VEVENT_COMPONENT,
		icalproperty_new_uid(buf_str(&uid)),
		icalproperty_new_dtstamp(stamp_of(r->changed)),
		icalproperty_new_sequence(r->changes > 1 ? (int)(r->changes - 1) : 0),
		icalproperty_new_dtstart(day_of(r->valid_from)),
		icalproperty_new_dtend(day_of(r->valid_to)),
		icalproperty_new_summary(r->title),
		icalproperty_new_location(buf_str(&where)),
		icalproperty_new_description(buf_str(&desc)),
		icalproperty_new_lastmodified(stamp_of(r->changed)),
		icalproperty_new_status(status),
		(void *)0);
	icalcomponent_add_component(cal, ev);
out:
	buf_release(&uid);
	buf_release(&where);
	buf_release(&desc);
	return rc;
}

int calendar_ics(struct store *s, const struct principal *who,
		 const char *what, const char *key, char **out,
		 struct error *e)
{
	enum calendar_of of = !strcmp(what, "site") ? CALENDAR_SITE :
		CALENDAR_PERSON;
	const struct kind *k = kind_find(of == CALENDAR_SITE ? "sites" : "persons");
	icalcomponent *cal;
	int rc;

	*out = NULL;
	if (policy_totals(who, "the calendars are", e))
		return -1;
	rc = store_calendar_owner(s, who, of, key, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return error_set(e, ERR_NOTFOUND, "no %s '%s'", k->label, key);
	cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
				  icalproperty_new_version("2.0"),
				  icalproperty_new_prodid("-//cadre//sessions//EN"),
				  (void *)0);
	icalcomponent_add_property(cal, icalproperty_new_x("cadre sessions"));
	icalproperty_set_x_name(icalcomponent_get_first_property(cal,
		ICAL_X_PROPERTY), "X-WR-CALNAME");
	if (store_calendar_sessions(s, who, of, key, add_event, cal, e)) {
		icalcomponent_free(cal);
		/* add_event() fails only for memory, and has no E to say so */
		return e->message ? -1 : error_set(e, ERR_NOMEM, "out of memory");
	}
	*out = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return *out ? 0 : error_set(e, ERR_NOMEM, "out of memory");
}
