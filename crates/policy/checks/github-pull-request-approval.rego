# METADATA
# title: Merged pull requests were approved by someone other than their author
# description: >-
#   A merged pull request has an approving review, submitted before the
#   merge, by a person other than its author, so that nobody ships a change
#   alone. A reviewer's latest decision counts (an approval followed by a
#   request for changes is not an approval; a dismissed review is not one)
#   and approvals by bots (GitHub user type Bot) do not count. The
#   pull_request_review webhook names the author and the merge; a REST list
#   of reviews names neither, so the pull request is treated as merged and,
#   its author being unknown, as not shown to be independently approved
#   (fail closed). An approval of an earlier commit than the merged head is
#   reported as a warning.
# custom:
#   id: github-pull-request-approval
#   formats: [github-pull-request-reviews]
#   requirements: [A.8.32, A.5.3]
package evident.checks.github_pull_request_approval

pr := input.pull_request

author := pr.author if is_string(pr.author)

describe := sprintf("pull request %s#%v %q by %s", [pr.repository, pr.number, pr.title, author]) if {
	is_string(pr.title)
	is_string(author)
} else := sprintf("pull request %s#%v", [pr.repository, pr.number])

# Merged, or possibly merged: the REST form does not say.
maybe_merged if pr.merged == true

maybe_merged if pr.merged == null

# A reviewer's latest decision counts: a later request for changes (or a
# dismissal) withdraws an approval; a later comment does not.
withdrawing := {"changes_requested", "dismissed"}

withdrawn(r) if {
	some later in input.reviews
	later.user == r.user
	later.state in withdrawing
	is_string(later.submitted_at)
	is_string(r.submitted_at)
	later.submitted_at > r.submitted_at
}

# Approvals that stand, by people (not bots).
approvals contains r if {
	some r in input.reviews
	r.state == "approved"
	is_string(r.user)
	r.user_type != "Bot"
	not withdrawn(r)
}

before_merge(r) if pr.merged_at == null

before_merge(r) if {
	is_string(pr.merged_at)
	is_string(r.submitted_at)
	r.submitted_at <= pr.merged_at
}

independent contains r if {
	some r in approvals
	is_string(author)
	lower(r.user) != lower(author)
	before_merge(r)
}

deny contains msg if {
	pr.merged == true
	count(approvals) == 0
	msg := sprintf("%s was merged without an approving review", [describe])
}

deny contains msg if {
	pr.merged == null
	count(approvals) == 0
	msg := sprintf("%s has no standing approving review (the evidence does not say whether it was merged, so it is read as merged)", [describe])
}

deny contains msg if {
	pr == null
	msg := "the evidence names no pull request (an empty list of reviews), so no approval can be shown"
}

deny contains msg if {
	maybe_merged
	count(approvals) > 0
	not author
	msg := sprintf("%s: its author is unknown (a list of reviews does not name it), so no approval by someone other than the author can be shown", [describe])
}

deny contains msg if {
	pr.merged == true
	is_string(author)
	count(approvals) > 0
	count(independent) == 0
	reviewers := concat(", ", sort({sprintf("%s at %v", [r.user, r.submitted_at]) | some r in approvals}))
	msg := sprintf("%s was merged at %v without an approval by someone other than its author before it (approvals: %s)", [describe, pr.merged_at, reviewers])
}

warn contains msg if {
	pr.merged == true
	is_string(pr.head_sha)
	count(independent) > 0
	not approved_head
	some r in independent
	msg := sprintf("%s: %s approved commit %s, not the merged head %s", [describe, r.user, short(r.commit_id), short(pr.head_sha)])
}

short(sha) := substring(sha, 0, 12) if is_string(sha)

short(sha) := "(unknown)" if not is_string(sha)

approved_head if {
	some r in independent
	r.commit_id == pr.head_sha
}
