# METADATA
# title: Protected branches require approved pull requests, for everyone
# description: >-
#   A GitHub branch protection rule requires pull request reviews for
#   everyone, at least min_approvals approving reviews, and applies to
#   administrators too, so that no change reaches the branch without
#   review and nobody can bypass the rule. A rule deleted (the webhook's
#   deleted action) leaves the branch unprotected and fails. Approvals that
#   survive new pushes (stale reviews not dismissed) and force pushes are
#   warnings: both let a change reach the branch that no reviewer saw.
# custom:
#   id: github-branch-protection
#   formats: [github-branch-protection-rule]
#   requirements: [A.8.32]
#   parameters:
#     min_approvals: 1
package evident.checks.github_branch_protection

# A rule that is not an object reads as one with no setting on (fail closed).
rule := input.rule if is_object(input.rule) else := {}

describe := sprintf("branch protection rule %s of %s", [quote(rule.name), repository])

repository := input.repository if is_string(input.repository)

repository := "an unknown repository" if not is_string(input.repository)

reviews_level := lower(rule.pull_request_reviews_enforcement_level) if {
	is_string(rule.pull_request_reviews_enforcement_level)
} else := "(absent)"

min_approvals := data.evident.parameters.min_approvals

deny contains msg if {
	input.action == "deleted"
	msg := sprintf("%s was deleted: the branch is no longer protected", [describe])
}

deny contains msg if {
	input.action != "deleted"
	reviews_level != "everyone"
	reviews_level != "non_admins"
	msg := sprintf("%s does not require pull request reviews (enforcement level %s)", [describe, reviews_level])
}

deny contains msg if {
	input.action != "deleted"
	reviews_level in {"everyone", "non_admins"}
	not rule.required_approving_review_count >= min_approvals
	msg := sprintf("%s requires %v approving reviews, fewer than %v (min_approvals)", [describe, rule.required_approving_review_count, min_approvals])
}

deny contains msg if {
	input.action != "deleted"
	reviews_level == "non_admins"
	msg := sprintf("%s lets administrators merge without reviews (enforcement level non_admins)", [describe])
}

deny contains msg if {
	input.action != "deleted"
	rule.admin_enforced != true
	msg := sprintf("%s is not enforced for administrators (admin_enforced is %v)", [describe, rule.admin_enforced])
}

warn contains msg if {
	input.action != "deleted"
	reviews_level in {"everyone", "non_admins"}
	rule.dismiss_stale_reviews_on_push != true
	msg := sprintf("%s keeps approvals after new commits are pushed (dismiss_stale_reviews_on_push is off)", [describe])
}

warn contains msg if {
	input.action != "deleted"
	level := object.get(rule, "allow_force_pushes_enforcement_level", null)
	level != "off"
	msg := sprintf("%s allows force pushes (allow_force_pushes_enforcement_level is %v)", [describe, level])
}

# Quoted when a string: %q fails on anything else.
quote(x) := sprintf("%q", [x]) if is_string(x)

quote(x) := "(unnamed)" if not is_string(x)
