# METADATA
# title: IAM users do not hold administrator access
# description: >-
#   No IAM user has full administrator access, whether through the
#   AWS-managed AdministratorAccess policy or through any managed or inline
#   policy that allows every action on every resource, attached to the user
#   or to one of its groups. Privileged access belongs to roles assumed for
#   the task, with short-lived credentials; users named in `allowed_users`
#   (a break-glass user, by name or ARN) are exempt. Permissions boundaries
#   and service control policies are not taken into account.
# custom:
#   id: aws-iam-admin-attached-to-users
#   formats: [aws-iam-authorization-details]
#   requirements: [A.8.2, A.5.15]
#   parameters:
#     allowed_users: []
package evident.checks.aws_iam_admin_attached_to_users

allowed_users := a if {
	a := data.evident.parameters.allowed_users
	is_array(a)
}

# A missing or mistyped parameter must not turn the check into a silent pass.
deny contains msg if {
	not allowed_users
	msg := "parameter allowed_users must be a list of IAM user names or ARNs"
}

# A truncated export (`--max-items`) leaves users out; their absence is not
# evidence that they hold no administrator access.
deny contains msg if {
	input.is_truncated == true
	msg := "the authorization details are truncated (IsTruncated is true): users beyond the first page were not judged"
}

deny contains msg if {
	some u in input.users
	not exempt(u)
	some via in grants(u)
	msg := sprintf("user %s has full administrator access through %s", [u.name, via])
}

deny contains msg if {
	some u in input.users
	not exempt(u)
	some group_name in u.groups
	some via in group_grants[group_name]
	msg := sprintf("user %s has full administrator access through group %s (%s)", [u.name, group_name, via])
}

# Each group's grants, worked out once rather than for every member. Group
# names are unique in an account.
group_grants := {g.name: grants(g) | some g in input.groups}

exempt(u) if u.name in allowed_users

exempt(u) if u.arn in allowed_users

# What in a user's or group's own policies grants everything.
grants(principal) := managed | inline if {
	managed := {sprintf("managed policy %s", [a.name]) |
		some a in principal.attached_policies
		full_access_policy(a.arn)
	}
	inline := {sprintf("inline policy %s", [p.name]) |
		some p in principal.inline_policies
		allows_everything(p.document)
	}
}

# AdministratorAccess is recognised by its ARN in every partition (aws,
# aws-cn, aws-us-gov), even when the export leaves the policy itself out.
full_access_policy(arn) if {
	is_string(arn)
	endswith(arn, ":iam::aws:policy/AdministratorAccess")
}

full_access_policy(arn) if arn in full_access_arns

full_access_arns contains p.arn if {
	some p in input.policies
	allows_everything(p.default_document)
}

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
