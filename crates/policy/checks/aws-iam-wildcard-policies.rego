# METADATA
# title: Customer-managed policies do not grant everything
# description: >-
#   No customer-managed IAM policy allows every action (`*`) on every
#   resource (`*`) in its default version. Such a policy is administrator
#   access under a name that does not say so, and every principal it is
#   attached to, now or later, becomes an administrator; use the AWS-managed
#   AdministratorAccess policy where full access is intended, so it is
#   visible. Inline policies of users, groups and roles that do the same are
#   reported as warnings.
# custom:
#   id: aws-iam-wildcard-policies
#   formats: [aws-iam-authorization-details]
#   requirements: [A.8.2]
package evident.checks.aws_iam_wildcard_policies

# Only the default version is in force; older versions are kept for
# rollback and grant nothing until made default.
deny contains msg if {
	some p in input.policies
	p.aws_managed != true
	allows_everything(p.default_document)
	msg := sprintf(
		"customer-managed policy %s allows every action on every resource (default version %s, %s)",
		[p.name, p.default_version_id, attachments(object.get(p, "attachment_count", null))],
	)
}

# A truncated export (`--max-items`) leaves policies out; their absence is
# not evidence that they grant nothing.
deny contains msg if {
	input.is_truncated == true
	msg := "the authorization details are truncated (IsTruncated is true): policies beyond the first page were not judged"
}

warn contains msg if {
	some kind, principals in {"user": input.users, "group": input.groups, "role": input.roles}
	some principal in principals
	some p in principal.inline_policies
	allows_everything(p.document)
	msg := sprintf("inline policy %s of %s %s allows every action on every resource", [p.name, kind, principal.name])
}

attachments(1) := "1 attachment"

attachments(n) := sprintf("%v attachments", [n]) if {
	is_number(n)
	n != 1
}

# Older exports and single-policy reads may lack the count.
attachments(n) := "attachments unknown" if not is_number(n)

allows_everything(document) if {
	some s in as_list(document.Statement)
	s.Effect == "Allow"
	some action in as_list(s.Action)
	action in {"*", "*:*"}
	some resource in as_list(s.Resource)
	resource == "*"
}

# The normaliser turns IAM's single values into arrays, but documents are
# otherwise verbatim: a lone value is read as a list of one, not an error.
as_list(x) := x if {
	is_array(x)
} else := [x] if {
	not is_null(x)
} else := []
