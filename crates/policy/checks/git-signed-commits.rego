# METADATA
# title: Commits carry valid signatures
# description: >-
#   No commit on the branch has a bad signature (changed after signing, or
#   forged) or a signature by a revoked key: either means the history holds
#   a change that its claimed author may not have made. Commits that are
#   unsigned, signed by a key git does not trust (not in
#   gpg.ssh.allowedSignersFile, or a GPG key of unknown validity), signed by
#   an expired key, or whose signature cannot be checked (the key is
#   missing where the collector ran) are warnings; set require_signatures to
#   make them failures where signing is mandatory. Verification happens
#   where the collector runs, so that machine needs the allowed signers or
#   the keyring (and GitHub's key for merges made in its web interface).
# custom:
#   id: git-signed-commits
#   formats: [git-log]
#   requirements: [A.8.4, A.8.32]
#   parameters:
#     require_signatures: false
package evident.checks.git_signed_commits

# A signature git checked and that proves nothing or worse.
broken := {
	"bad": "has a bad signature (the commit was changed after it was signed, or the signature is forged)",
	"good-revoked-key": "is signed by a revoked key",
}

# A signature that is missing or that git could not vouch for.
unproven := {
	"none": "is not signed",
	"good-unknown-validity": "is signed by a key git does not trust (not in the allowed signers, or a GPG key of unknown validity)",
	"good-expired": "has an expired signature",
	"good-expired-key": "is signed by a key that has expired",
	"unverifiable": "has a signature that cannot be checked (the key is missing where the collector ran)",
}

status(c) := c.signature.status if is_string(c.signature.status)

status(c) := "(absent)" if not is_string(c.signature.status)

problem(c) := broken[status(c)]

problem(c) := unproven[status(c)]

problem(c) := sprintf("has a signature status evident does not know (%s)", [status(c)]) if {
	not broken[status(c)]
	not unproven[status(c)]
	status(c) != "good"
}

describe(c) := sprintf("commit %s %q by %s on %s", [short(c.sha), subject_of(c), author_of(c), input.branch])

short(sha) := substring(sha, 0, 12) if is_string(sha)

short(sha) := "(no sha)" if not is_string(sha)

subject_of(c) := c.subject if is_string(c.subject)

subject_of(c) := "" if not is_string(c.subject)

author_of(c) := c.author.email if is_string(c.author.email)

author_of(c) := "an unknown author" if not is_string(c.author.email)

deny contains msg if {
	some c in input.commits
	broken[status(c)]
	msg := sprintf("%s %s", [describe(c), problem(c)])
}

deny contains msg if {
	data.evident.parameters.require_signatures == true
	some c in input.commits
	not broken[status(c)]
	status(c) != "good"
	msg := sprintf("%s %s", [describe(c), problem(c)])
}

# Unproven signatures are common (unsigned commits), so they are summed up
# by status, one note each with a few examples, rather than one per commit:
# a year of history holds hundreds of thousands of commits.
signature_statuses := [[object.get(c, ["signature", "status"], "(absent)"), c] | some c in input.commits]

warn contains msg if {
	data.evident.parameters.require_signatures != true
	some st, text in unproven
	matching := [c | some p in signature_statuses; p[0] == st; c := p[1]]
	count(matching) > 0
	examples := [short(c.sha) | some i, c in matching; i < 3]
	msg := sprintf("%d commit(s) on %s: each %s (e.g. %s)", [count(matching), input.branch, text, concat(", ", examples)])
}
