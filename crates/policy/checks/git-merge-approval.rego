# METADATA
# title: Changes reach the branch with an independent approval
# description: >-
#   Every change that reached the branch in the period read carries an
#   approval trailer (Approved-by, Reviewed-by) naming, by email, someone
#   other than the people who made the change, so that nobody ships a change
#   alone. The changes are the commits on the branch's first-parent line:
#   merges, and commits pushed or rebased onto the branch directly (in a
#   history without merges, every commit). A commit's makers are its
#   author; a merge's are the authors of the merged branches' last commits
#   (the merge's own author when those are outside the history read), so
#   the person who merges may be the reviewer. Emails are compared without
#   regard to case. Trailers record what the team wrote down, so this
#   evidences the review procedure; a forge's own approval records
#   (github-pull-request-approval) are stronger evidence where they exist.
# custom:
#   id: git-merge-approval
#   formats: [git-log]
#   requirements: [A.8.32, A.5.3]
#   parameters:
#     trailers: [Approved-by, Reviewed-by]
package evident.checks.git_merge_approval

approval_keys := {lower(k) | some k in data.evident.parameters.trailers}

trailer_names := concat(" or ", data.evident.parameters.trailers)

commits_by_sha := {c.sha: c | some c in input.commits}

email_of(person) := lower(person.email) if {
	is_string(person.email)
	person.email != ""
}

# The email a trailer value names: `Name <email>`, or a bare address.
# String functions rather than a regular expression: this runs for every
# trailer of a history, and a regex match costs far more.
trailer_email(value) := lower(trim_space(address)) if {
	start := indexof(value, "<")
	start >= 0
	end := indexof(value, ">")
	end > start
	address := substring(value, start + 1, (end - start) - 1)
	contains(address, "@")
}

trailer_email(value) := lower(address) if {
	not contains(value, "<")
	address := trim_space(value)
	contains(address, "@")
	not contains(address, " ")
}

approval_trailers(c) := [t |
	some t in c.trailers
	is_string(t.key)
	lower(t.key) in approval_keys
]

# Each change that landed, with what the rules below judge it by, worked
# out once per commit (the rules would otherwise repeat it).
landed := [change |
	some c in input.commits
	c.first_parent == true
	trailers := approval_trailers(c)
	tips := [tip | some i, p in c.parents; i > 0; tip := commits_by_sha[p]]
	change := {
		"commit": c,
		"trailers": count(trailers),
		"approvers": {e | some t in trailers; is_string(t.value); e := trailer_email(t.value)},
		"makers": makers_of(c, tips),
	}
]

# The emails of the people who wrote a change. For a merge, the authors of
# the merged branches' last commits (`tips`): whoever merges may be the
# reviewer. When the history read does not reach them, the merge's own
# author stands in, so an unknown branch cannot make a self-approval pass.
makers_of(_, tips) := {e | some tip in tips; e := email_of(tip.author)} if count(tips) > 0

makers_of(c, tips) := {e | e := email_of(c.author)} if count(tips) == 0

describe_change(c) := sprintf("%s %s %q by %s", [change_kind(c), short(c.sha), subject_of(c), author_of(c)])

change_kind(c) := "merge" if c.merge == true

change_kind(c) := "commit" if c.merge != true

short(sha) := substring(sha, 0, 12) if is_string(sha)

short(sha) := "(no sha)" if not is_string(sha)

subject_of(c) := c.subject if is_string(c.subject)

subject_of(c) := "" if not is_string(c.subject)

author_of(c) := email_of(c.author)

author_of(c) := "an unknown author" if not email_of(c.author)

deny contains msg if {
	some change in landed
	change.trailers == 0
	msg := sprintf("%s reached %s without an approval trailer (%s)", [describe_change(change.commit), input.branch, trailer_names])
}

deny contains msg if {
	some change in landed
	change.trailers > 0
	count(change.approvers) == 0
	msg := sprintf("%s reached %s with an approval trailer that names nobody by email", [describe_change(change.commit), input.branch])
}

deny contains msg if {
	some change in landed
	count(change.approvers) > 0
	count(change.makers) == 0
	msg := sprintf("%s reached %s approved by %s, but who wrote it is unknown (no author email), so the approval cannot be shown to be independent", [describe_change(change.commit), input.branch, concat(", ", sort(change.approvers))])
}

deny contains msg if {
	some change in landed
	count(change.approvers) > 0
	count(change.makers) > 0
	count(change.approvers - change.makers) == 0
	msg := sprintf("%s reached %s approved only by %s (%s)", [describe_change(change.commit), input.branch, whose(change.commit), concat(", ", sort(change.approvers))])
}

whose(c) := "the author of the merged changes" if c.merge == true

whose(c) := "its author" if c.merge != true
