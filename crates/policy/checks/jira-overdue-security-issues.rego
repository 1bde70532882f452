# METADATA
# title: Security incidents and issues are resolved in time
# description: >-
#   No Jira issue that is a security incident or security issue (one of
#   issue_types, or labelled with one of labels; both compared without
#   regard to case) is still open after max_open_days, or after its due
#   date: incidents and their follow-ups are responded to within the time
#   the organisation set. An issue is done when Jira's status category is
#   done; where an export lacks the status category, a resolution counts as
#   done. An open issue without a creation time fails, since its age cannot
#   be shown.
# custom:
#   id: jira-overdue-security-issues
#   formats: [jira-issues]
#   requirements: [A.5.26]
#   parameters:
#     labels: [security, incident]
#     issue_types: [Incident, Security Incident]
#     max_open_days: 30
package evident.checks.jira_overdue_security_issues

day_ns := ((24 * 60) * 60) * 1000000000

wanted_labels := {lower(l) | some l in data.evident.parameters.labels}

wanted_types := {lower(t) | some t in data.evident.parameters.issue_types}

today := substring(data.evident.now, 0, 10)

security(i) if {
	some label in i.labels
	is_string(label)
	lower(label) in wanted_labels
}

security(i) if {
	is_string(i.issue_type)
	lower(i.issue_type) in wanted_types
}

done(i) if i.status_category == "done"

done(i) if {
	i.status_category == null
	i.resolution != null
}

open_issues contains i if {
	some i in input.issues
	security(i)
	not done(i)
}

describe(i) := sprintf("%s %s (%s, status %s)", [i.key, quote(i.summary), i.issue_type, i.status])

# Quoted when a string: %q fails on anything else.
quote(x) := sprintf("%q", [x]) if is_string(x)

quote(x) := "(unnamed)" if not is_string(x)

deny contains msg if {
	some i in open_issues
	is_string(i.created)
	days := floor((data.evident.now_ns - time.parse_rfc3339_ns(i.created)) / day_ns)
	days > data.evident.parameters.max_open_days
	msg := sprintf("%s has been open for %d days since %s, beyond the %v-day limit", [describe(i), days, i.created, data.evident.parameters.max_open_days])
}

deny contains msg if {
	some i in open_issues
	is_string(i.due_date)
	i.due_date < today
	msg := sprintf("%s is still open after its due date %s", [describe(i), i.due_date])
}

deny contains msg if {
	some i in open_issues
	not is_string(i.created)
	msg := sprintf("%s is open and has no creation time, so its age is unknown", [describe(i)])
}
